/*
 * ifd-pinpad.c: a pcsc-lite reader driver (IFD handler) for the tests only: a PIN-pad reader
 * (CCID class 2, as PC/SC v2 part 10 describes it) with no hardware. Written for this project
 * from pcsc-lite's public ifdhandler.h / reader.h API and vpcd's socket protocol.
 *
 * THE CARD SIDE (vpcd's protocol, so `cns sim attach --vpcd 127.0.0.1:PORT IMAGE` works
 * unchanged): the driver LISTENS on 127.0.0.1:PORT; a card is present while a client is
 * connected. Every frame both ways is a 2-byte big-endian length and that many bytes. 1-byte
 * frames from the reader are control codes: 00 power off, 01 power on, 02 reset (no reply),
 * 04 "send your ATR" (reply: the ATR). Longer frames are command APDUs; the reply is the
 * response APDU. The connection closing is the card leaving the reader.
 *
 * THE SETTINGS come from the reader.conf entry's DEVICENAME:
 *     DEVICENAME  DIR:port=N[:pinpad=1][:min=4][:max=8][:display=0]
 *   DIR       a folder the test owns: DIR/typed (what the person types), DIR/log (what the
 *             driver did). Created if missing.
 *   port      TCP port on 127.0.0.1 where the virtual card connects (required).
 *   pinpad    1 (default): a PIN pad; 0: a plain reader (no PIN features; GET_FEATURE_REQUEST
 *             lists only GET_TLV_PROPERTIES, without PIN sizes).
 *   min, max  the keypad's PIN length limits, reported in GET_TLV_PROPERTIES and enforced
 *             (default 4 and 8).
 *   display   1: a 2x16 display (wLcdLayout 0x0210); 0 (default): none (wLcdLayout 0).
 * Two entries (two readers) with the same LIBPATH are fine: the driver keeps one state per Lun
 * and says it is thread safe, so a PIN entry waiting on one reader does not block the other.
 *
 * FEATURES (pinpad=1): CM_IOCTL_GET_FEATURE_REQUEST (0x42000D48, and Windows' 0x00313520 as
 * libccid accepts it: what a Windows program under Wine sends) answers the TLVs
 *   06 FEATURE_VERIFY_PIN_DIRECT   -> 0x42330006
 *   07 FEATURE_MODIFY_PIN_DIRECT   -> 0x42330007
 *   0A FEATURE_IFD_PIN_PROPERTIES  -> 0x4233000A (wLcdLayout, bEntryValidationCondition 07, bTimeOut2 0)
 *   12 FEATURE_GET_TLV_PROPERTIES  -> 0x42330012 (wLcdLayout, bEntryValidationCondition,
 *                                      bTimeOut2, bMinPINSize, bMaxPINSize, sFirmwareID)
 * (the control codes libccid uses). VERIFY takes a PIN_VERIFY_STRUCTURE, MODIFY a
 * PIN_MODIFY_STRUCTURE; both are checked strictly (lengths, Lc of the template, the PIN block
 * inside the data, min <= max, a validation condition) and a bad one is refused with
 * IFD_NOT_SUPPORTED (the client sees SCARD_E_UNSUPPORTED_FEATURE), as libccid does.
 * PIN formatting, positions relative to the APDU data field (after CLA INS P1 P2 Lc):
 *   bmFormatString   bit 7 units (1 bytes, 0 bits), bits 6-3 PIN position, bit 2 right
 *                    justify, bits 1-0 format: 00 binary (one byte per digit), 01 BCD, 10 ASCII.
 *   bmPINBlockString bits 7-4 size in bits of the PIN length field, bits 3-0 PIN block size in
 *                    bytes (0: no block, the PIN ends the data and Lc is set to fit it).
 *   bmPINLengthFormat bit 4 units (1 bytes, 0 bits), bits 3-0 position of the length field.
 *   MODIFY: the current PIN's block starts at bInsertionOffsetOld, the new PIN's at
 *   bInsertionOffsetNew (bytes); positions above are relative to each block's start.
 *   bConfirmPIN bit 1: the current PIN is typed first; bit 0: the new PIN is typed twice.
 * Template bytes the PIN does not cover stay as sent (OpenSC's FF padding for a CNS:
 * bmFormatString 0x82, bmPINBlockString 0x08, template 00 20 00 10 08 FF..FF).
 *
 * THE PERSON AT THE KEYPAD: DIR/typed, one line per PIN entry, consumed from the top (the driver
 * rewrites the file without the line it used). A VERIFY uses one line; a MODIFY one per entry
 * (current PIN, new PIN, confirmation: up to three), stopping at the first entry that fails.
 *   12345        these digits then OK. A length outside the range answers 64 03 at once.
 *   +MS 12345    the same, finished MS milliseconds later (a slow typist); past bTimerOut: 64 00.
 *   +MS CANCEL   Cancel pressed after MS milliseconds.
 *   CANCEL       the Cancel key: 64 01.
 *   TIMEOUT      nobody typed: 64 00 at once (as if bTimerOut had run out).
 *   WAIT         nobody typed: waits the whole bTimerOut (0 in the structure = 30 s), then 64 00.
 *   WAIT MS      nobody typed: waits MS milliseconds, then 64 00 (a short bTimerOut for tests).
 *   REMOVE [MS]  the card is pulled during entry: the driver closes the card's connection,
 *                answers IFD_COMMUNICATION_ERROR (the client sees SCARD_E_NOT_TRANSACTED, then
 *                SCARD_W_REMOVED_CARD) and accepts no card for MS ms (default 1000).
 *   (no line)    nobody typed and the file is empty: 64 00 at once, logged "nothing typed".
 * While waiting (WAIT, +MS) the card's connection is watched: a card leaving then (the test
 * stops `cns sim attach`) ends the entry as REMOVE does. 64 02: a MODIFY whose confirmation
 * differs from the new PIN. Only in the cases "typed ... then OK" within range (and matching
 * confirmation) does anything reach the card; then the card's answer is returned as is.
 *
 * THE LOG: DIR/log, one line per event, never a PIN:
 *   <ms since epoch> <event>
 *   events: "listening 127.0.0.1:N pinpad=1 min=4 max=8 display=0", "card inserted",
 *   "card removed", "power up", "power down", "reset", "features" ("features (Windows' code
 *   0x00313520)" when the request came with Windows' number),
 *   "verify request: apdu CLAINSP1P2, format FS, block BS, length LF, range MIN-MAX, timeout S"
 *   (the structure as the client sent it, bytes in hex, the range as the keypad enforces it;
 *   "modify request: ..." adds ", confirm BC, offsets OLD/NEW"), then
 *   "verify: <outcome>, <sent to card|nothing sent>, <SW xxxx|error>" and the same with
 *   "modify:". Outcomes: "typed N digits" (modify: "typed N+M digits"), "cancelled", "timeout",
 *   "waited N ms, timeout", "length N out of range A-B", "confirmation differs",
 *   "card removed during entry", "no card", "nothing typed", "bad structure (why)".
 *
 * Build: gcc -shared -fPIC -O2 $(pkg-config --cflags libpcsclite) -o libifd-cns-pinpad.so
 *        ifd-pinpad.c -lpthread            (scripts/pinpad-stack.mjs does it)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ifdhandler.h>
#include <reader.h>

#define MAX_READERS 16
#define IOCTL_VERIFY 0x42330006
#define IOCTL_MODIFY 0x42330007
#define IOCTL_PIN_PROPERTIES 0x4233000A
#define IOCTL_TLV_PROPERTIES 0x42330012
/* SCARD_CTL_CODE(3400) as Windows numbers it. A Windows program under Wine (winscard.dll forwards
 * the code to pcsc-lite unchanged) sends this one; libccid answers it as CM_IOCTL_GET_FEATURE_REQUEST
 * ("needed for RDP applications", CCID 1.5.2 src/ifdhandler.c:1561), and so does this driver. */
#define WINDOWS_GET_FEATURE_REQUEST 0x00313520
#define DEFAULT_TIMEOUT_S 30
#define FRAME_TIMEOUT_MS 15000
#define APDU_MAX 65544

struct reader {
	int used;
	DWORD lun;
	char dir[512];
	int port, pinpad, min, max, display;
	int lfd, cfd;
	int removed_pending;   /* a removal the driver saw: report "absent" once */
	long long refuse_until; /* REMOVE: accept no card before this time (ms) */
	unsigned char atr[MAX_ATR_SIZE];
	DWORD atrlen;
};

static struct reader readers[MAX_READERS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static long long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void logf_(struct reader *r, const char *fmt, ...)
{
	char path[600], line[700];
	va_list ap;
	int n;
	snprintf(path, sizeof path, "%s/log", r->dir);
	n = snprintf(line, sizeof line, "%lld ", now_ms());
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	FILE *f = fopen(path, "a");
	if (f) {
		fputs(line, f);
		fclose(f);
	}
}

static struct reader *find(DWORD lun)
{
	struct reader *r = NULL;
	pthread_mutex_lock(&table_lock);
	for (int i = 0; i < MAX_READERS; i++)
		if (readers[i].used && readers[i].lun == lun) {
			r = &readers[i];
			break;
		}
	pthread_mutex_unlock(&table_lock);
	return r;
}

/* ---------------------------------------------------------------- the card's socket */

static void drop_card(struct reader *r, const char *why)
{
	if (r->cfd >= 0) {
		close(r->cfd);
		r->cfd = -1;
		r->atrlen = 0;
		r->removed_pending = 1;
		logf_(r, "card removed (%s)", why);
	}
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, unsigned char *p, size_t n, long long deadline)
{
	while (n > 0) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd pfd = { fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return -1;
		ssize_t got = recv(fd, p, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* one frame out (length and payload in one write: no delayed-ACK stall) */
static int send_frame(struct reader *r, const unsigned char *p, size_t n)
{
	unsigned char *buf = malloc(n + 2);
	if (!buf)
		return -1;
	buf[0] = (unsigned char)(n >> 8);
	buf[1] = (unsigned char)n;
	memcpy(buf + 2, p, n);
	int rc = write_all(r->cfd, buf, n + 2);
	free(buf);
	return rc;
}

/* one frame in; returns its length or -1 (*cap too small counts as an error) */
static long recv_frame(struct reader *r, unsigned char *p, size_t cap)
{
	unsigned char hdr[2];
	long long deadline = now_ms() + FRAME_TIMEOUT_MS;
	if (read_all(r->cfd, hdr, 2, deadline) < 0)
		return -1;
	size_t n = ((size_t)hdr[0] << 8) | hdr[1];
	if (n > cap)
		return -1;
	if (read_all(r->cfd, p, n, deadline) < 0)
		return -1;
	return (long)n;
}

static int card_control(struct reader *r, unsigned char code)
{
	if (r->cfd < 0)
		return -1;
	if (send_frame(r, &code, 1) < 0) {
		drop_card(r, "write failed");
		return -1;
	}
	return 0;
}

/* command APDU to the card, response into rx; returns the response length or -1 */
static long card_apdu(struct reader *r, const unsigned char *tx, size_t txn, unsigned char *rx, size_t cap)
{
	if (r->cfd < 0)
		return -1;
	if (send_frame(r, tx, txn) < 0) {
		drop_card(r, "write failed");
		return -1;
	}
	long n = recv_frame(r, rx, cap);
	if (n < 2) {
		drop_card(r, "no answer");
		return -1;
	}
	return n;
}

/* the card's connection still open? (nonblocking peek) */
static int card_alive(struct reader *r)
{
	if (r->cfd < 0)
		return 0;
	unsigned char b;
	ssize_t n = recv(r->cfd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		drop_card(r, "card left");
		return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------- reader lifecycle */

static int parse_devicename(struct reader *r, const char *name)
{
	char buf[700];
	snprintf(buf, sizeof buf, "%s", name);
	char *save = NULL;
	char *tok = strtok_r(buf, ":", &save);
	if (!tok)
		return -1;
	snprintf(r->dir, sizeof r->dir, "%s", tok);
	r->port = 0;
	r->pinpad = 1;
	r->min = 4;
	r->max = 8;
	r->display = 0;
	while ((tok = strtok_r(NULL, ":", &save))) {
		char *eq = strchr(tok, '=');
		if (!eq)
			return -1;
		*eq = 0;
		int v = atoi(eq + 1);
		if (!strcmp(tok, "port"))
			r->port = v;
		else if (!strcmp(tok, "pinpad"))
			r->pinpad = v != 0;
		else if (!strcmp(tok, "min"))
			r->min = v;
		else if (!strcmp(tok, "max"))
			r->max = v;
		else if (!strcmp(tok, "display"))
			r->display = v != 0;
		/* unknown keys are ignored, as ifdhandler.h asks of DEVICENAME parts */
	}
	if (r->port <= 0 || r->port > 65535 || r->min < 0 || r->max < r->min || r->max > 15)
		return -1;
	return 0;
}

RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
	struct reader *r = NULL;
	pthread_mutex_lock(&table_lock);
	for (int i = 0; i < MAX_READERS; i++)
		if (!readers[i].used) {
			r = &readers[i];
			memset(r, 0, sizeof *r);
			r->used = 1;
			r->lun = Lun;
			r->lfd = r->cfd = -1;
			break;
		}
	pthread_mutex_unlock(&table_lock);
	if (!r)
		return IFD_COMMUNICATION_ERROR;
	if (parse_devicename(r, DeviceName) < 0) {
		r->used = 0;
		return IFD_COMMUNICATION_ERROR;
	}
	mkdir(r->dir, 0700);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)r->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4) < 0) {
		logf_(r, "cannot listen on 127.0.0.1:%d: %s", r->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		r->used = 0;
		return IFD_COMMUNICATION_ERROR;
	}
	r->lfd = fd;
	logf_(r, "listening 127.0.0.1:%d pinpad=%d min=%d max=%d display=%d", r->port, r->pinpad, r->min, r->max,
	      r->display);
	return IFD_SUCCESS;
}

RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
	(void)Lun;
	(void)Channel;
	return IFD_COMMUNICATION_ERROR; /* needs a DEVICENAME */
}

RESPONSECODE IFDHCloseChannel(DWORD Lun)
{
	struct reader *r = find(Lun);
	if (!r)
		return IFD_COMMUNICATION_ERROR;
	if (r->cfd >= 0)
		close(r->cfd);
	if (r->lfd >= 0)
		close(r->lfd);
	logf_(r, "closed");
	pthread_mutex_lock(&table_lock);
	r->used = 0;
	pthread_mutex_unlock(&table_lock);
	return IFD_SUCCESS;
}

RESPONSECODE IFDHICCPresence(DWORD Lun)
{
	struct reader *r = find(Lun);
	if (!r)
		return IFD_NO_SUCH_DEVICE;
	if (r->cfd >= 0)
		return card_alive(r) ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
	if (r->removed_pending) {
		r->removed_pending = 0; /* pcscd must see the card gone before a new one */
		return IFD_ICC_NOT_PRESENT;
	}
	int fd;
	if (now_ms() < r->refuse_until) {
		/* the card is out for a while: a card that tries to come in bounces (the sim retries) */
		while ((fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
			close(fd);
		return IFD_ICC_NOT_PRESENT;
	}
	for (;;) {
		fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			return IFD_ICC_NOT_PRESENT;
		/* a connection that queued and was closed before it was taken is no card */
		unsigned char b;
		ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(fd);
			continue;
		}
		break;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	r->cfd = fd;
	r->atrlen = 0;
	logf_(r, "card inserted");
	return IFD_ICC_PRESENT;
}

RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
	struct reader *r = find(Lun);
	if (!r)
		return IFD_COMMUNICATION_ERROR;
	switch (Tag) {
	case TAG_IFD_ATR:
	case SCARD_ATTR_ATR_STRING:
		if (*Length < r->atrlen)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		memcpy(Value, r->atr, r->atrlen);
		*Length = r->atrlen;
		return IFD_SUCCESS;
	case TAG_IFD_SLOTS_NUMBER:
	case TAG_IFD_THREAD_SAFE:
		if (*Length < 1)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		Value[0] = 1; /* one slot; calls for different readers may run at once */
		*Length = 1;
		return IFD_SUCCESS;
	case TAG_IFD_SIMULTANEOUS_ACCESS:
		if (*Length < 1)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		Value[0] = MAX_READERS;
		*Length = 1;
		return IFD_SUCCESS;
	case TAG_IFD_SLOT_THREAD_SAFE:
		if (*Length < 1)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		Value[0] = 0;
		*Length = 1;
		return IFD_SUCCESS;
	default:
		return IFD_ERROR_TAG;
	}
}

RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
	(void)Lun;
	(void)Tag;
	(void)Length;
	(void)Value;
	return IFD_NOT_SUPPORTED;
}

RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1, UCHAR PTS2, UCHAR PTS3)
{
	(void)Flags;
	(void)PTS1;
	(void)PTS2;
	(void)PTS3;
	if (!find(Lun))
		return IFD_COMMUNICATION_ERROR;
	return (Protocol == SCARD_PROTOCOL_T0 || Protocol == SCARD_PROTOCOL_T1) ? IFD_SUCCESS : IFD_PROTOCOL_NOT_SUPPORTED;
}

RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
	struct reader *r = find(Lun);
	if (!r)
		return IFD_COMMUNICATION_ERROR;
	if (Action == IFD_POWER_DOWN) {
		r->atrlen = 0;
		if (AtrLength)
			*AtrLength = 0;
		if (r->cfd >= 0) {
			card_control(r, 0x00);
			logf_(r, "power down");
		}
		return IFD_SUCCESS;
	}
	if (Action != IFD_POWER_UP && Action != IFD_RESET)
		return IFD_NOT_SUPPORTED;
	if (AtrLength)
		*AtrLength = 0;
	unsigned char ctl = Action == IFD_POWER_UP ? 0x01 : 0x02;
	unsigned char atr[64];
	if (card_control(r, ctl) < 0 || card_control(r, 0x04) < 0)
		return IFD_ERROR_POWER_ACTION;
	long n = recv_frame(r, atr, sizeof atr);
	if (n <= 0 || n > MAX_ATR_SIZE) {
		drop_card(r, "no ATR");
		return IFD_ERROR_POWER_ACTION;
	}
	memcpy(r->atr, atr, (size_t)n);
	r->atrlen = (DWORD)n;
	if (Atr)
		memcpy(Atr, atr, (size_t)n);
	if (AtrLength)
		*AtrLength = (DWORD)n;
	logf_(r, Action == IFD_POWER_UP ? "power up" : "reset");
	return IFD_SUCCESS;
}

RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer, DWORD TxLength, PUCHAR RxBuffer,
			       PDWORD RxLength, PSCARD_IO_HEADER RecvPci)
{
	(void)SendPci;
	struct reader *r = find(Lun);
	if (!r) {
		*RxLength = 0;
		return IFD_COMMUNICATION_ERROR;
	}
	long n = card_apdu(r, TxBuffer, TxLength, RxBuffer, *RxLength);
	if (n < 0) {
		*RxLength = 0;
		return r->cfd < 0 ? IFD_ICC_NOT_PRESENT : IFD_COMMUNICATION_ERROR;
	}
	*RxLength = (DWORD)n;
	if (RecvPci)
		RecvPci->Protocol = SendPci.Protocol;
	return IFD_SUCCESS;
}

/* ---------------------------------------------------------------- the keypad */

enum entry_kind { E_DIGITS, E_CANCEL, E_TIMEOUT, E_WAIT, E_REMOVE, E_NONE, E_BAD };

struct entry {
	enum entry_kind kind;
	char digits[32];
	long ms;    /* WAIT MS, REMOVE MS; -1 = not given */
	long delay; /* +MS: how long the person takes before the key that ends the entry */
};

/* take the first line of DIR/typed, rewriting the file without it */
static void next_entry(struct reader *r, struct entry *e)
{
	char path[600], tmp[620];
	memset(e, 0, sizeof *e);
	e->kind = E_NONE;
	e->ms = -1;
	snprintf(path, sizeof path, "%s/typed", r->dir);
	snprintf(tmp, sizeof tmp, "%s/typed.tmp", r->dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char *all = NULL;
	size_t cap = 0;
	ssize_t len = getdelim(&all, &cap, '\0', f);
	fclose(f);
	if (len <= 0) {
		free(all);
		return;
	}
	char *nl = memchr(all, '\n', (size_t)len);
	size_t linelen = nl ? (size_t)(nl - all) : (size_t)len;
	char *rest = nl ? nl + 1 : all + len;
	FILE *o = fopen(tmp, "w");
	if (o) {
		fwrite(rest, 1, (size_t)(all + len - rest), o);
		fclose(o);
		rename(tmp, path);
	}
	char line[128];
	if (linelen >= sizeof line)
		linelen = sizeof line - 1;
	memcpy(line, all, linelen);
	line[linelen] = 0;
	free(all);
	char *p = line, *end = line + strlen(line);
	while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		*--end = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+') {
		char *after;
		e->delay = strtol(p + 1, &after, 10);
		p = after;
		while (*p == ' ')
			p++;
	}
	if (!strcmp(p, "CANCEL"))
		e->kind = E_CANCEL;
	else if (!strcmp(p, "TIMEOUT"))
		e->kind = E_TIMEOUT;
	else if (!strncmp(p, "WAIT", 4) && (p[4] == 0 || p[4] == ' ')) {
		e->kind = E_WAIT;
		if (p[4])
			e->ms = atol(p + 5);
	} else if (!strncmp(p, "REMOVE", 6) && (p[6] == 0 || p[6] == ' ')) {
		e->kind = E_REMOVE;
		if (p[6])
			e->ms = atol(p + 7);
	} else {
		size_t n = strlen(p);
		e->kind = n < sizeof e->digits && strspn(p, "0123456789") == n ? E_DIGITS : E_BAD;
		if (e->kind == E_DIGITS)
			memcpy(e->digits, p, n + 1);
	}
}

/* sleep up to ms while watching the card; returns 0, or -1 when the card left meanwhile */
static int wait_watching(struct reader *r, long ms)
{
	long long end = now_ms() + ms;
	for (;;) {
		if (!card_alive(r))
			return -1;
		long long left = end - now_ms();
		if (left <= 0)
			return 0;
		usleep((useconds_t)((left < 50 ? left : 50) * 1000));
	}
}

/* the outcome of one entry: 0 = digits in e->digits; otherwise the reader's answer or an error */
enum outcome { O_OK, O_CANCEL, O_TIMEOUT, O_WAITED, O_LENGTH, O_REMOVED, O_NONE, O_BAD_LINE };

struct pin_params {
	int timeout_s, min, max;
};

static enum outcome read_entry(struct reader *r, const struct pin_params *pp, struct entry *e, long *waited)
{
	long limit = (pp->timeout_s ? pp->timeout_s : DEFAULT_TIMEOUT_S) * 1000L;
	next_entry(r, e);
	switch (e->kind) {
	case E_NONE:
		return O_NONE;
	case E_BAD:
		return O_BAD_LINE;
	case E_CANCEL:
		if (e->delay > 0) {
			long ms = e->delay < limit ? e->delay : limit;
			if (wait_watching(r, ms) < 0)
				return O_REMOVED;
			if (e->delay >= limit) {
				*waited = ms;
				return O_WAITED;
			}
		}
		return O_CANCEL;
	case E_TIMEOUT:
		return O_TIMEOUT;
	case E_REMOVE:
		drop_card(r, "pulled during entry");
		r->refuse_until = now_ms() + (e->ms >= 0 ? e->ms : 1000);
		return O_REMOVED;
	case E_WAIT: {
		long ms = e->ms >= 0 && e->ms < limit ? e->ms : limit;
		*waited = ms;
		return wait_watching(r, ms) < 0 ? O_REMOVED : O_WAITED;
	}
	case E_DIGITS:
		if (e->delay > 0) {
			long ms = e->delay < limit ? e->delay : limit;
			if (wait_watching(r, ms) < 0)
				return O_REMOVED;
			if (e->delay >= limit) {
				*waited = ms;
				return O_WAITED;
			}
		}
		{
			int n = (int)strlen(e->digits);
			if (n < pp->min || n > pp->max)
				return O_LENGTH;
		}
		return O_OK;
	}
	return O_BAD_LINE;
}

/* write nbits of value at bit position pos (bit 0 = the most significant bit of byte 0) */
static void put_bits(unsigned char *buf, int pos, int nbits, unsigned long value)
{
	for (int i = 0; i < nbits; i++) {
		int bit = (int)((value >> (nbits - 1 - i)) & 1);
		int p = pos + i;
		unsigned char mask = (unsigned char)(0x80 >> (p & 7));
		if (bit)
			buf[p >> 3] |= mask;
		else
			buf[p >> 3] &= (unsigned char)~mask;
	}
}

struct pin_format {
	int units_bytes, pin_pos, right, fmt; /* from bmFormatString */
	int len_bits, block;                  /* from bmPINBlockString */
	int len_units_bytes, len_pos;         /* from bmPINLengthFormat */
};

static void decode_format(unsigned char fs, unsigned char bs, unsigned char lf, struct pin_format *f)
{
	f->units_bytes = (fs >> 7) & 1;
	f->pin_pos = (fs >> 3) & 0x0F;
	f->right = (fs >> 2) & 1;
	f->fmt = fs & 3;
	f->len_bits = (bs >> 4) & 0x0F;
	f->block = bs & 0x0F;
	f->len_units_bytes = (lf >> 4) & 1;
	f->len_pos = lf & 0x0F;
}

static int digit_bits(const struct pin_format *f)
{
	return f->fmt == 1 ? 4 : 8;
}

/* where the PIN starts, in bits from the data field's start, for a block at byte base */
static int pin_bitpos(const struct pin_format *f, int base)
{
	return base * 8 + (f->units_bytes ? f->pin_pos * 8 : f->pin_pos);
}

/* checks that a PIN of up to maxdigits fits the block at base within datalen bytes */
static const char *check_layout(const struct pin_format *f, int base, int datalen, int maxdigits)
{
	if (f->fmt == 3)
		return "bmFormatString format 11 is reserved";
	int start = pin_bitpos(f, base);
	if (f->block) {
		if (base + f->block > datalen)
			return "PIN block beyond the data";
		if (!f->right && start + maxdigits * digit_bits(f) > (base + f->block) * 8)
			return "PIN does not fit its block";
		if (f->right && maxdigits * digit_bits(f) > (base + f->block) * 8 - start)
			return "PIN does not fit its block";
	} else if (start / 8 > datalen) {
		return "PIN position beyond the data";
	}
	if (f->len_bits) {
		int lp = base * 8 + (f->len_units_bytes ? f->len_pos * 8 : f->len_pos);
		if (lp + f->len_bits > (f->block ? (base + f->block) * 8 : datalen * 8))
			return "PIN length field beyond the data";
	}
	return NULL;
}

/* put one PIN into the data field at block base; returns the data length (may grow if no block) */
static int format_pin(const struct pin_format *f, unsigned char *data, int datalen, int base, const char *digits)
{
	int n = (int)strlen(digits), db = digit_bits(f);
	int start = pin_bitpos(f, base);
	if (f->block && f->right)
		start = (base + f->block) * 8 - n * db;
	if (!f->block) {
		int need = (start + n * db + 7) / 8;
		if (need > datalen) {
			memset(data + datalen, 0xFF, (size_t)(need - datalen));
			datalen = need;
		}
	}
	for (int i = 0; i < n; i++) {
		int d = digits[i] - '0';
		put_bits(data, start + i * db, db, f->fmt == 2 ? (unsigned long)('0' + d) : (unsigned long)d);
	}
	if (f->len_bits)
		put_bits(data, base * 8 + (f->len_units_bytes ? f->len_pos * 8 : f->len_pos), f->len_bits, (unsigned long)n);
	return datalen;
}

static void answer_sw(PUCHAR rx, DWORD rxcap, LPDWORD returned, unsigned char sw2)
{
	if (rxcap >= 2) {
		rx[0] = 0x64;
		rx[1] = sw2;
		*returned = 2;
	}
}

static const char *outcome_text(enum outcome o, long waited, int len, const struct pin_params *pp, char *buf, size_t cap)
{
	switch (o) {
	case O_CANCEL:
		return "cancelled";
	case O_TIMEOUT:
		return "timeout";
	case O_WAITED:
		snprintf(buf, cap, "waited %ld ms, timeout", waited);
		return buf;
	case O_LENGTH:
		snprintf(buf, cap, "length %d out of range %d-%d", len, pp->min, pp->max);
		return buf;
	case O_REMOVED:
		return "card removed during entry";
	case O_NONE:
		return "nothing typed";
	case O_BAD_LINE:
		return "bad line in the typed file";
	default:
		return "?";
	}
}

/* a failed entry: the reader's answer (64 xx) or an error; nothing reached the card */
static RESPONSECODE entry_failed(struct reader *r, const char *op, enum outcome o, long waited, const struct entry *e,
				 const struct pin_params *pp, PUCHAR rx, DWORD rxcap, LPDWORD returned)
{
	char buf[96];
	const char *what = outcome_text(o, waited, (int)strlen(e->digits), pp, buf, sizeof buf);
	unsigned char sw2;
	switch (o) {
	case O_CANCEL:
		sw2 = 0x01;
		break;
	case O_LENGTH:
		sw2 = 0x03;
		break;
	case O_TIMEOUT:
	case O_WAITED:
	case O_NONE:
		sw2 = 0x00;
		break;
	default: /* removed, bad line */
		logf_(r, "%s: %s, nothing sent, error", op, what);
		return IFD_COMMUNICATION_ERROR;
	}
	logf_(r, "%s: %s, nothing sent, SW 64%02X", op, what, sw2);
	answer_sw(rx, rxcap, returned, sw2);
	return IFD_SUCCESS;
}

static RESPONSECODE send_formatted(struct reader *r, const char *op, const char *typed, unsigned char *apdu, int datalen,
				   PUCHAR rx, DWORD rxcap, LPDWORD returned)
{
	if (datalen > 255) {
		logf_(r, "%s: %s, nothing sent, error (data too long)", op, typed);
		return IFD_COMMUNICATION_ERROR;
	}
	apdu[4] = (unsigned char)datalen;
	unsigned char resp[APDU_MAX];
	long n = card_apdu(r, apdu, (size_t)(5 + datalen), resp, sizeof resp);
	if (n < 0) {
		logf_(r, "%s: %s, sent to card, error (no answer)", op, typed);
		return IFD_COMMUNICATION_ERROR;
	}
	if ((DWORD)n > rxcap) {
		logf_(r, "%s: %s, sent to card, error (answer too long)", op, typed);
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	}
	memcpy(rx, resp, (size_t)n);
	*returned = (DWORD)n;
	logf_(r, "%s: %s, sent to card, SW %02X%02X", op, typed, resp[n - 2], resp[n - 1]);
	return IFD_SUCCESS;
}

static uint16_t u16(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, 2); /* host order, as pcsc-lite and libccid (>= 1.4.1) exchange it */
	return v;
}

static uint32_t u32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* the range the keypad enforces: the request's, narrowed by the reader's own */
static const char *pin_range(struct reader *r, uint16_t extra, struct pin_params *pp)
{
	int lo = extra >> 8, hi = extra & 0xFF;
	if (hi == 0 || lo > hi)
		return "wPINMaxExtraDigit: min > max or max 0";
	pp->min = lo > r->min ? lo : r->min;
	pp->max = hi < r->max ? hi : r->max;
	if (pp->min > pp->max)
		return "wPINMaxExtraDigit outside the reader's range";
	return NULL;
}

static const char *check_template(const unsigned char *abData, uint32_t n)
{
	if (n < 5 || n > 5 + 255)
		return "template shorter than a command header with Lc, or longer than a short APDU";
	if (abData[4] != n - 5)
		return "template Lc differs from its data length";
	return NULL;
}

static RESPONSECODE pin_verify(struct reader *r, PUCHAR tx, DWORD txn, PUCHAR rx, DWORD rxcap, LPDWORD returned)
{
	const char *bad = NULL;
	struct pin_params pp;
	struct pin_format f;
	if (txn < 19)
		bad = "shorter than PIN_VERIFY_STRUCTURE";
	else if (u32(tx + 15) != txn - 19)
		bad = "ulDataLength differs from the bytes sent";
	else if (!(bad = check_template(tx + 19, txn - 19)) && !(bad = pin_range(r, u16(tx + 5), &pp))) {
		if (tx[7] == 0 || (tx[7] & ~0x07))
			bad = "bEntryValidationCondition";
		else {
			decode_format(tx[2], tx[3], tx[4], &f);
			bad = check_layout(&f, 0, (int)txn - 19 - 5, pp.max);
		}
	}
	if (bad) {
		logf_(r, "verify: bad structure (%s), nothing sent, error", bad);
		return IFD_NOT_SUPPORTED;
	}
	if (rxcap < 2)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	if (!card_alive(r)) {
		logf_(r, "verify: no card, nothing sent, error");
		return IFD_COMMUNICATION_ERROR;
	}
	pp.timeout_s = tx[0];
	logf_(r, "verify request: apdu %02X%02X%02X%02X, format %02X, block %02X, length %02X, range %d-%d, timeout %d",
	      tx[19], tx[20], tx[21], tx[22], tx[2], tx[3], tx[4], pp.min, pp.max, tx[0]);
	struct entry e;
	long waited = 0;
	enum outcome o = read_entry(r, &pp, &e, &waited);
	if (o != O_OK)
		return entry_failed(r, "verify", o, waited, &e, &pp, rx, rxcap, returned);
	unsigned char apdu[5 + 255 + 32];
	memcpy(apdu, tx + 19, txn - 19);
	int datalen = format_pin(&f, apdu + 5, (int)txn - 19 - 5, 0, e.digits);
	char typed[48];
	snprintf(typed, sizeof typed, "typed %d digits", (int)strlen(e.digits));
	memset(&e, 0, sizeof e);
	RESPONSECODE rc = send_formatted(r, "verify", typed, apdu, datalen, rx, rxcap, returned);
	memset(apdu, 0, sizeof apdu);
	return rc;
}

static RESPONSECODE pin_modify(struct reader *r, PUCHAR tx, DWORD txn, PUCHAR rx, DWORD rxcap, LPDWORD returned)
{
	const char *bad = NULL;
	struct pin_params pp;
	struct pin_format f;
	int datalen = (int)txn - 24 - 5;
	if (txn < 24)
		bad = "shorter than PIN_MODIFY_STRUCTURE";
	else if (u32(tx + 20) != txn - 24)
		bad = "ulDataLength differs from the bytes sent";
	else if (!(bad = check_template(tx + 24, txn - 24)) && !(bad = pin_range(r, u16(tx + 7), &pp))) {
		if (tx[10] == 0 || (tx[10] & ~0x07))
			bad = "bEntryValidationCondition";
		else if (tx[9] & ~0x03)
			bad = "bConfirmPIN";
		else {
			decode_format(tx[2], tx[3], tx[4], &f);
			if (!f.block)
				bad = "MODIFY needs a PIN block size";
			else if (!(bad = check_layout(&f, tx[6], datalen, pp.max)) && (tx[9] & 0x02)) {
				bad = check_layout(&f, tx[5], datalen, pp.max);
				if (!bad && tx[5] < tx[6] + f.block && tx[6] < tx[5] + f.block)
					bad = "the current and new PIN blocks overlap";
			}
		}
	}
	if (bad) {
		logf_(r, "modify: bad structure (%s), nothing sent, error", bad);
		return IFD_NOT_SUPPORTED;
	}
	if (rxcap < 2)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	if (!card_alive(r)) {
		logf_(r, "modify: no card, nothing sent, error");
		return IFD_COMMUNICATION_ERROR;
	}
	pp.timeout_s = tx[0];
	logf_(r,
	      "modify request: apdu %02X%02X%02X%02X, format %02X, block %02X, length %02X, range %d-%d, timeout %d, "
	      "confirm %02X, offsets %d/%d",
	      tx[24], tx[25], tx[26], tx[27], tx[2], tx[3], tx[4], pp.min, pp.max, tx[0], tx[9], tx[5], tx[6]);
	int ask_current = tx[9] & 0x02, confirm = tx[9] & 0x01;
	struct entry cur, neu, conf;
	memset(&cur, 0, sizeof cur);
	long waited = 0;
	enum outcome o;
	if (ask_current && (o = read_entry(r, &pp, &cur, &waited)) != O_OK)
		return entry_failed(r, "modify", o, waited, &cur, &pp, rx, rxcap, returned);
	if ((o = read_entry(r, &pp, &neu, &waited)) != O_OK)
		return entry_failed(r, "modify", o, waited, &neu, &pp, rx, rxcap, returned);
	if (confirm) {
		if ((o = read_entry(r, &pp, &conf, &waited)) != O_OK)
			return entry_failed(r, "modify", o, waited, &conf, &pp, rx, rxcap, returned);
		if (strcmp(conf.digits, neu.digits)) {
			memset(&neu, 0, sizeof neu);
			memset(&conf, 0, sizeof conf);
			logf_(r, "modify: confirmation differs, nothing sent, SW 6402");
			answer_sw(rx, rxcap, returned, 0x02);
			return IFD_SUCCESS;
		}
	}
	unsigned char apdu[5 + 255];
	memcpy(apdu, tx + 24, txn - 24);
	if (ask_current)
		format_pin(&f, apdu + 5, datalen, tx[5], cur.digits);
	format_pin(&f, apdu + 5, datalen, tx[6], neu.digits);
	char typed[64];
	if (ask_current)
		snprintf(typed, sizeof typed, "typed %d+%d digits", (int)strlen(cur.digits), (int)strlen(neu.digits));
	else
		snprintf(typed, sizeof typed, "typed %d digits", (int)strlen(neu.digits));
	memset(&cur, 0, sizeof cur);
	memset(&neu, 0, sizeof neu);
	memset(&conf, 0, sizeof conf);
	RESPONSECODE rc = send_formatted(r, "modify", typed, apdu, datalen, rx, rxcap, returned);
	memset(apdu, 0, sizeof apdu);
	return rc;
}

static void put_tlv_feature(unsigned char *p, int *n, unsigned char tag, uint32_t code)
{
	p[(*n)++] = tag;
	p[(*n)++] = 4;
	p[(*n)++] = (unsigned char)(code >> 24);
	p[(*n)++] = (unsigned char)(code >> 16);
	p[(*n)++] = (unsigned char)(code >> 8);
	p[(*n)++] = (unsigned char)code;
}

RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength, PUCHAR RxBuffer,
			 DWORD RxLength, LPDWORD pdwBytesReturned)
{
	struct reader *r = find(Lun);
	unsigned char out[64];
	int n = 0;
	*pdwBytesReturned = 0;
	if (!r)
		return IFD_COMMUNICATION_ERROR;
	uint16_t lcd = r->display ? 0x0210 : 0x0000;
	switch (dwControlCode) {
	case CM_IOCTL_GET_FEATURE_REQUEST:
	case WINDOWS_GET_FEATURE_REQUEST:
		if (r->pinpad) {
			put_tlv_feature(out, &n, FEATURE_VERIFY_PIN_DIRECT, IOCTL_VERIFY);
			put_tlv_feature(out, &n, FEATURE_MODIFY_PIN_DIRECT, IOCTL_MODIFY);
			put_tlv_feature(out, &n, FEATURE_IFD_PIN_PROPERTIES, IOCTL_PIN_PROPERTIES);
		}
		put_tlv_feature(out, &n, FEATURE_GET_TLV_PROPERTIES, IOCTL_TLV_PROPERTIES);
		logf_(r, dwControlCode == WINDOWS_GET_FEATURE_REQUEST ? "features (Windows' code 0x00313520)" : "features");
		break;
	case IOCTL_TLV_PROPERTIES: {
		/* values little-endian, as PC/SC v2 part 10 and libccid give them */
		out[n++] = PCSCv2_PART10_PROPERTY_wLcdLayout;
		out[n++] = 2;
		out[n++] = (unsigned char)lcd;
		out[n++] = (unsigned char)(lcd >> 8);
		if (r->pinpad) {
			out[n++] = PCSCv2_PART10_PROPERTY_bEntryValidationCondition;
			out[n++] = 1;
			out[n++] = 0x07;
			out[n++] = PCSCv2_PART10_PROPERTY_bTimeOut2;
			out[n++] = 1;
			out[n++] = 0x00;
			out[n++] = PCSCv2_PART10_PROPERTY_bMinPINSize;
			out[n++] = 1;
			out[n++] = (unsigned char)r->min;
			out[n++] = PCSCv2_PART10_PROPERTY_bMaxPINSize;
			out[n++] = 1;
			out[n++] = (unsigned char)r->max;
		}
		static const char fw[] = "cns-test-pinpad";
		out[n++] = PCSCv2_PART10_PROPERTY_sFirmwareID;
		out[n++] = (unsigned char)strlen(fw);
		memcpy(out + n, fw, strlen(fw));
		n += (int)strlen(fw);
		break;
	}
	case IOCTL_PIN_PROPERTIES:
		if (!r->pinpad)
			return IFD_ERROR_NOT_SUPPORTED;
		out[n++] = (unsigned char)lcd; /* PIN_PROPERTIES_STRUCTURE, host order */
		out[n++] = (unsigned char)(lcd >> 8);
		out[n++] = 0x07;
		out[n++] = 0x00;
		break;
	case IOCTL_VERIFY:
		if (!r->pinpad)
			return IFD_ERROR_NOT_SUPPORTED;
		return pin_verify(r, TxBuffer, TxLength, RxBuffer, RxLength, pdwBytesReturned);
	case IOCTL_MODIFY:
		if (!r->pinpad)
			return IFD_ERROR_NOT_SUPPORTED;
		return pin_modify(r, TxBuffer, TxLength, RxBuffer, RxLength, pdwBytesReturned);
	default:
		return IFD_ERROR_NOT_SUPPORTED;
	}
	if ((DWORD)n > RxLength)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	memcpy(RxBuffer, out, (size_t)n);
	*pdwBytesReturned = (DWORD)n;
	return IFD_SUCCESS;
}
