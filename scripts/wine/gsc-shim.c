/*
 * cns-gsc-shim.dll: a TEST-ONLY PC/SC library for running cns's Windows code path under Wine
 * (scripts/wine-rig.mjs builds it with x86_64-w64-mingw32-gcc; nothing of it ships).
 *
 * Wine's winscard.dll (>= 9.0, forwarding to pcsc-lite) never waits in SCardGetStatusChange: it
 * passes only the reader names on, so pcsc-lite always sees "unaware" and answers at once, and a
 * watcher that asks to wait (INFINITE, or a timeout) busy-polls pcscd. This DLL exports the PC/SC
 * functions cns uses, forwards each to the real winscard.dll, and implements
 * SCardGetStatusChangeA/W the way Windows and pcsc-lite do: it asks the real one with timeout 0
 * every 50 ms and returns when a reader's state differs from the dwCurrentState it was given
 * (setting SCARD_STATE_CHANGED), when the timeout is over (SCARD_E_TIMEOUT) or when SCardCancel is
 * called on the context (SCARD_E_CANCELLED).
 *
 * cns loads it in place of winscard.dll through CNS_PCSC_LIBRARY. With CNS_GSC_SHIM_TRACE set to
 * a file name, every status-change call that returns rewrites that file with two counts:
 * "calls=<calls answered> polls=<calls made to the real SCardGetStatusChange>".
 */
#define WIN32_LEAN_AND_MEAN /* no winscard.h: this file declares the functions its own way */
#include <windows.h>

typedef ULONG_PTR SCARDCONTEXT;
typedef ULONG_PTR SCARDHANDLE;

typedef struct {
    const void *szReader; /* LPCSTR (A) or LPCWSTR (W): the layout is the same */
    void *pvUserData;
    DWORD dwCurrentState;
    DWORD dwEventState;
    DWORD cbAtr;
    BYTE rgbAtr[36];
} READERSTATE;

typedef struct {
    DWORD dwProtocol;
    DWORD cbPciLength;
} IO_REQUEST;

/* winerror.h has the return codes already (the same values) */
#ifndef SCARD_S_SUCCESS
#define SCARD_S_SUCCESS 0x00000000L
#define SCARD_F_INTERNAL_ERROR ((LONG)0x80100001)
#define SCARD_E_CANCELLED ((LONG)0x80100002)
#define SCARD_E_NO_MEMORY ((LONG)0x80100006)
#define SCARD_E_TIMEOUT ((LONG)0x8010000A)
#define SCARD_E_NO_READERS_AVAILABLE ((LONG)0x8010002E)
#endif
#define SCARD_STATE_UNAWARE 0x0000
#define SCARD_STATE_IGNORE 0x0001
#define SCARD_STATE_CHANGED 0x0002
#define INFINITE_WAIT 0xFFFFFFFFu
#define POLL_MS 50

#define EXPORT __declspec(dllexport)

EXPORT const IO_REQUEST g_rgSCardT0Pci = {1, sizeof(IO_REQUEST)};
EXPORT const IO_REQUEST g_rgSCardT1Pci = {2, sizeof(IO_REQUEST)};
EXPORT const IO_REQUEST g_rgSCardRawPci = {0x10000, sizeof(IO_REQUEST)};

static HMODULE real;
static INIT_ONCE once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK load_real(PINIT_ONCE o, PVOID p, PVOID *c)
{
    (void)o;
    (void)p;
    (void)c;
    real = LoadLibraryA("winscard.dll");
    return TRUE;
}

static FARPROC sym(const char *name)
{
    InitOnceExecuteOnce(&once, load_real, NULL, NULL);
    return real ? GetProcAddress(real, name) : NULL;
}

/* One forwarder per function: the real address is looked up once. */
#define FORWARD(name, params, args)                                  \
    typedef LONG(WINAPI *name##_fn) params;                          \
    EXPORT LONG WINAPI name params                                   \
    {                                                                \
        static name##_fn f;                                          \
        if (!f) f = (name##_fn)(void (*)(void))sym(#name);           \
        return f ? f args : SCARD_F_INTERNAL_ERROR;                  \
    }

FORWARD(SCardEstablishContext, (DWORD scope, const void *r1, const void *r2, SCARDCONTEXT *ctx), (scope, r1, r2, ctx))
FORWARD(SCardReleaseContext, (SCARDCONTEXT ctx), (ctx))
FORWARD(SCardIsValidContext, (SCARDCONTEXT ctx), (ctx))
FORWARD(SCardListReadersA, (SCARDCONTEXT ctx, const char *groups, char *buf, DWORD *len), (ctx, groups, buf, len))
FORWARD(SCardListReadersW, (SCARDCONTEXT ctx, const WCHAR *groups, WCHAR *buf, DWORD *len), (ctx, groups, buf, len))
FORWARD(SCardConnectA, (SCARDCONTEXT ctx, const char *reader, DWORD share, DWORD protocols, SCARDHANDLE *card, DWORD *active),
        (ctx, reader, share, protocols, card, active))
FORWARD(SCardConnectW, (SCARDCONTEXT ctx, const WCHAR *reader, DWORD share, DWORD protocols, SCARDHANDLE *card, DWORD *active),
        (ctx, reader, share, protocols, card, active))
FORWARD(SCardReconnect, (SCARDHANDLE card, DWORD share, DWORD protocols, DWORD init, DWORD *active), (card, share, protocols, init, active))
FORWARD(SCardDisconnect, (SCARDHANDLE card, DWORD disposition), (card, disposition))
FORWARD(SCardBeginTransaction, (SCARDHANDLE card), (card))
FORWARD(SCardEndTransaction, (SCARDHANDLE card, DWORD disposition), (card, disposition))
FORWARD(SCardTransmit,
        (SCARDHANDLE card, const IO_REQUEST *send_pci, const BYTE *send, DWORD send_len, IO_REQUEST *recv_pci, BYTE *recv, DWORD *recv_len),
        (card, send_pci, send, send_len, recv_pci, recv, recv_len))
FORWARD(SCardStatusA, (SCARDHANDLE card, char *name, DWORD *name_len, DWORD *state, DWORD *protocol, BYTE *atr, DWORD *atr_len),
        (card, name, name_len, state, protocol, atr, atr_len))
FORWARD(SCardStatusW, (SCARDHANDLE card, WCHAR *name, DWORD *name_len, DWORD *state, DWORD *protocol, BYTE *atr, DWORD *atr_len),
        (card, name, name_len, state, protocol, atr, atr_len))
FORWARD(SCardControl, (SCARDHANDLE card, DWORD code, const void *in, DWORD in_len, void *out, DWORD out_size, DWORD *returned),
        (card, code, in, in_len, out, out_size, returned))
FORWARD(SCardGetAttrib, (SCARDHANDLE card, DWORD id, BYTE *attr, DWORD *len), (card, id, attr, len))
FORWARD(SCardFreeMemory, (SCARDCONTEXT ctx, const void *mem), (ctx, mem))

/* SCardCancel: every context has a generation, bumped by each cancel; a wait that sees it move
 * ends with SCARD_E_CANCELLED. A cancel with no wait in progress is lost, as in Windows. */
#define SLOTS 64
static struct {
    SCARDCONTEXT ctx;
    volatile LONG generation;
} slots[SLOTS];
static CRITICAL_SECTION slots_lock;
static volatile LONG calls, polls;

static int slot_of(SCARDCONTEXT ctx)
{
    int i, free_slot = -1;
    EnterCriticalSection(&slots_lock);
    for (i = 0; i < SLOTS; i++) {
        if (slots[i].ctx == ctx) break;
        if (free_slot < 0 && slots[i].ctx == 0) free_slot = i;
    }
    if (i == SLOTS && free_slot >= 0) {
        slots[free_slot].ctx = ctx;
        slots[free_slot].generation = 0;
        i = free_slot;
    }
    LeaveCriticalSection(&slots_lock);
    return i < SLOTS ? i : -1;
}

typedef LONG(WINAPI *cancel_fn)(SCARDCONTEXT);
EXPORT LONG WINAPI SCardCancel(SCARDCONTEXT ctx)
{
    static cancel_fn f;
    int s = slot_of(ctx);
    if (s >= 0) InterlockedIncrement(&slots[s].generation);
    if (!f) f = (cancel_fn)(void (*)(void))sym("SCardCancel");
    return f ? f(ctx) : SCARD_S_SUCCESS;
}

/* "NAME=<n>" at p, without the C library's or user32's printf */
static char *put(char *p, const char *name, LONG n)
{
    char digits[16];
    int k = 0;
    while (*name) *p++ = *name++;
    do digits[k++] = (char)('0' + n % 10);
    while ((n /= 10) > 0 && k < 15);
    while (k > 0) *p++ = digits[--k];
    return p;
}

static void trace(void)
{
    char path[MAX_PATH], line[64];
    DWORD n = GetEnvironmentVariableA("CNS_GSC_SHIM_TRACE", path, sizeof path);
    if (n == 0 || n >= sizeof path) return;
    HANDLE h = CreateFileA(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) return;
    char *end = put(put(line, "calls=", calls), " polls=", polls);
    *end++ = '\n';
    DWORD len = (DWORD)(end - line);
    DWORD written;
    WriteFile(h, line, len, &written, NULL);
    CloseHandle(h);
}

static int is_pnp(const void *name, int wide)
{
    static const char pnp[] = "\\\\?PnP?\\Notification";
    if (!name) return 0;
    for (int i = 0;; i++) {
        unsigned c = wide ? ((const WCHAR *)name)[i] : ((const unsigned char *)name)[i];
        if (c != (unsigned char)pnp[i]) return 0;
        if (c == 0) return 1;
    }
}

/* Whether what the reader is now (event) differs from what the caller knows (current). */
static int differs(DWORD current, DWORD event, int pnp)
{
    if (current & SCARD_STATE_IGNORE) return 0;
    /* the notification reader: the number of readers, in the high word */
    if (pnp) return current == SCARD_STATE_UNAWARE || (current >> 16) != (event >> 16);
    if ((current & 0xFFFF) == SCARD_STATE_UNAWARE) return 1;
    /* the event counter in the high word, when the caller gave one (pcsc-lite and Windows) */
    if ((current >> 16) != 0 && (current >> 16) != (event >> 16)) return 1;
    return (current & 0xFFFF & ~SCARD_STATE_CHANGED) != (event & 0xFFFF & ~SCARD_STATE_CHANGED);
}

typedef LONG(WINAPI *gsc_fn)(SCARDCONTEXT, DWORD, READERSTATE *, DWORD);

/* How many readers there are now (the notification reader's high word). */
static LONG reader_count(SCARDCONTEXT ctx, DWORD *count)
{
    DWORD len = 0;
    *count = 0;
    LONG rv = SCardListReadersA(ctx, NULL, NULL, &len);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) return SCARD_S_SUCCESS;
    if (rv != SCARD_S_SUCCESS) return rv;
    char *names = HeapAlloc(GetProcessHeap(), 0, len + 1);
    if (!names) return SCARD_E_NO_MEMORY;
    rv = SCardListReadersA(ctx, NULL, names, &len);
    if (rv == SCARD_S_SUCCESS)
        for (DWORD i = 0; i < len && names[i]; i += (DWORD)lstrlenA(names + i) + 1) (*count)++;
    HeapFree(GetProcessHeap(), 0, names);
    return rv == SCARD_E_NO_READERS_AVAILABLE ? SCARD_S_SUCCESS : rv;
}

/*
 * The real readers are asked with timeout 0 (Wine answers at once). The notification reader
 * "\\?PnP?\Notification" is answered here from the reader list: Wine passes it on as a reader of
 * its own, without the count the caller gave, and pcsc-lite then waits the whole timeout and
 * leaves its state 0.
 */
static LONG wait_change(SCARDCONTEXT ctx, DWORD timeout, READERSTATE *states, DWORD n, const char *name, int wide)
{
    gsc_fn f = (gsc_fn)(void (*)(void))sym(name);
    if (!f) return SCARD_F_INTERNAL_ERROR;
    if (n == 0 || !states) return f(ctx, 0, states, n);
    int s = slot_of(ctx);
    LONG generation = s >= 0 ? slots[s].generation : 0;
    READERSTATE *ask = HeapAlloc(GetProcessHeap(), 0, n * sizeof *ask);
    DWORD *where = HeapAlloc(GetProcessHeap(), 0, n * sizeof *where);
    if (!ask || !where) {
        if (ask) HeapFree(GetProcessHeap(), 0, ask);
        if (where) HeapFree(GetProcessHeap(), 0, where);
        return SCARD_E_NO_MEMORY;
    }
    int pnp = 0;
    for (DWORD i = 0; i < n; i++) pnp |= is_pnp(states[i].szReader, wide);
    ULONGLONG start = GetTickCount64();
    LONG rv;
    for (;;) {
        DWORD m = 0, count = 0;
        for (DWORD i = 0; i < n; i++) {
            if (is_pnp(states[i].szReader, wide)) continue;
            ask[m] = states[i];
            where[m++] = i;
        }
        rv = SCARD_S_SUCCESS;
        if (m > 0) {
            InterlockedIncrement(&polls);
            rv = f(ctx, 0, ask, m);
        }
        if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) break; /* unknown reader, no service...: at once */
        if (pnp && (rv = reader_count(ctx, &count)) != SCARD_S_SUCCESS) break;
        int changed = 0;
        for (DWORD i = 0, k = 0; i < n; i++) {
            int notification = is_pnp(states[i].szReader, wide);
            READERSTATE *now = !notification && k < m && where[k] == i ? &ask[k++] : NULL;
            DWORD event = now ? now->dwEventState & ~(DWORD)SCARD_STATE_CHANGED : count << 16;
            if (differs(states[i].dwCurrentState, event, notification)) changed = 1;
        }
        ULONGLONG elapsed = GetTickCount64() - start;
        int over = timeout != INFINITE_WAIT && elapsed >= timeout;
        if (changed || over) {
            for (DWORD i = 0, k = 0; i < n; i++) {
                int notification = is_pnp(states[i].szReader, wide);
                READERSTATE *now = !notification && k < m && where[k] == i ? &ask[k++] : NULL;
                DWORD event = now ? now->dwEventState & ~(DWORD)SCARD_STATE_CHANGED : count << 16;
                if (differs(states[i].dwCurrentState, event, notification)) event |= SCARD_STATE_CHANGED;
                states[i].dwEventState = event;
                if (now) {
                    states[i].cbAtr = now->cbAtr;
                    CopyMemory(states[i].rgbAtr, now->rgbAtr, sizeof states[i].rgbAtr);
                }
            }
            rv = changed ? SCARD_S_SUCCESS : SCARD_E_TIMEOUT;
            break;
        }
        if (s >= 0 && slots[s].generation != generation) {
            rv = SCARD_E_CANCELLED;
            break;
        }
        DWORD nap = POLL_MS;
        if (timeout != INFINITE_WAIT && timeout - elapsed < nap) nap = (DWORD)(timeout - elapsed);
        Sleep(nap);
        if (s >= 0 && slots[s].generation != generation) {
            rv = SCARD_E_CANCELLED;
            break;
        }
    }
    HeapFree(GetProcessHeap(), 0, ask);
    HeapFree(GetProcessHeap(), 0, where);
    InterlockedIncrement(&calls);
    trace();
    return rv;
}

EXPORT LONG WINAPI SCardGetStatusChangeA(SCARDCONTEXT ctx, DWORD timeout, READERSTATE *states, DWORD n)
{
    return wait_change(ctx, timeout, states, n, "SCardGetStatusChangeA", 0);
}

EXPORT LONG WINAPI SCardGetStatusChangeW(SCARDCONTEXT ctx, DWORD timeout, READERSTATE *states, DWORD n)
{
    return wait_change(ctx, timeout, states, n, "SCardGetStatusChangeW", 1);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) InitializeCriticalSection(&slots_lock);
    return TRUE;
}
