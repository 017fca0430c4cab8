/** Messages in Italian and English. Italian when the locale says it_*, or --lang it. */
import { isIsoDay, isWordChar } from '../util/text.js';
import { browserMessages } from './browserMessages.js';
import { cardMessages } from './cardMessages.js';
import { deviceMessages } from './deviceMessages.js';
import { doctorMessages } from './doctorMessages.js';
import { helpMessages } from './helpMessages.js';

export type Lang = 'it' | 'en';

export function detectLang(env: NodeJS.ProcessEnv = process.env, explicit?: string): Lang {
  if (explicit === 'it' || explicit === 'en') return explicit;
  const loc = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  // it, it_IT, it.UTF-8, it@euro, it-IT, any case (no regular expression: util/text.ts says why)
  return loc.slice(0, 2).toLowerCase() === 'it' && (loc.length === 2 || '_.@-'.includes(loc[2]!)) ? 'it' : 'en';
}

type Msg = { en: string; it: string };

/**
 * This file's own messages; with the card, help, device, browser and doctor tables, the catalogue
 * (looked up below). Built on the first look-up, like the others: the ~520 entries are ~65 KB of
 * young generation, and a card command's first text is its output, after its last wait on the
 * card (issue 27: allocated before that wait, they brought status's young-generation collection
 * on). What the card commands say when they work is in cardMessages.ts: those commands build only
 * that table.
 */
const ownMessages = () =>
  ({
    // errors (keys are the stable error codes)
    USAGE: { en: '{detail}', it: '{detail}' },
    INVALID_INPUT: { en: 'Invalid {what}: {detail}', it: 'Valore non valido per {what}: {detail}' },
    INVALID_PIN_FORMAT: {
      en: 'The {what} must be {len} digits and nothing else (no spaces or letters). Nothing was sent to the card.',
      it: "Il {what} deve essere di {len} cifre e nient'altro (niente spazi o lettere). Nulla è stato inviato alla carta.",
    },
    INVALID_PUK_FORMAT: {
      en: 'The PUK must be exactly 8 digits and nothing else. Nothing was sent to the card.',
      it: "Il PUK deve essere di esattamente 8 cifre e nient'altro. Nulla è stato inviato alla carta.",
    },
    WEAK_PIN: {
      en: 'The new PIN is easy to guess: {why}. Nothing was sent to the card. Choose another (or --allow-weak).',
      it: 'Il nuovo PIN è facile da indovinare: {why}. Nulla è stato inviato alla carta. Scegline un altro (oppure --allow-weak).',
    },
    weak_repeated: { en: 'one digit repeated', it: 'una sola cifra ripetuta' },
    weak_sequence: { en: 'digits in a row (like 12345 or 98765)', it: 'cifre in fila (come 12345 o 98765)' },
    weak_birthdate: { en: "the holder's birth date", it: 'la data di nascita del titolare' },
    PINPAD_CANCELLED: {
      en: 'The PIN entry was cancelled on the reader. Nothing was sent to the card: no try was used.',
      it: "L'inserimento del PIN è stato annullato sul lettore. Nulla è stato inviato alla carta: nessun tentativo è stato usato.",
    },
    PINPAD_TIMEOUT: {
      en: 'No PIN was confirmed on the reader in time. Nothing was sent to the card: no try was used.',
      it: 'Nessun PIN è stato confermato sul lettore in tempo. Nulla è stato inviato alla carta: nessun tentativo è stato usato.',
    },
    PIN_MISMATCH_PAD: {
      en: 'The new PIN and its confirmation typed on the reader differ. Nothing was sent to the card.',
      it: 'Il nuovo PIN e la sua conferma digitati sul lettore non coincidono. Nulla è stato inviato alla carta.',
    },
    INVALID_PIN_FORMAT_PAD: {
      en: 'The PIN typed on the reader has a length the reader or the card does not take ({len} digits). Nothing was sent to the card.',
      it: 'Il PIN digitato sul lettore ha una lunghezza che il lettore o la carta non accetta ({len} cifre). Nulla è stato inviato alla carta.',
    },
    readerPinpad: {
      en: 'PIN pad: the PIN is typed on the reader (verify)',
      it: 'tastierino PIN: il PIN si digita sul lettore (verifica)',
    },
    readerPinpadModify: {
      en: 'PIN pad: the PIN is typed on the reader (verify and change)',
      it: 'tastierino PIN: il PIN si digita sul lettore (verifica e cambio)',
    },
    pinpadVerify: {
      en: "Type the PIN on the reader's keypad, then press OK (30 seconds).",
      it: 'Digita il PIN sul lettore, poi premi OK (30 secondi).',
    },
    pinpadInterrupt: {
      en: 'The reader is still waiting: press Cancel on its keypad to stop the entry (nothing is then sent to the card). cns ends as soon as the reader does. Ctrl-C again leaves now.',
      it: 'Il lettore è ancora in attesa: premi Annulla sul suo tastierino per interrompere (così alla carta non arriva nulla). cns termina appena il lettore ha finito. Ctrl-C di nuovo per uscire subito.',
    },
    pinpadLeft: {
      en: 'Left without waiting for the reader: a PIN still typed on it and confirmed with OK would reach the card. Press Cancel on the reader; `cns status` shows the tries left.',
      it: 'Uscito senza attendere il lettore: un PIN ancora digitato sul lettore e confermato con OK arriverebbe alla carta. Premi Annulla sul lettore; `cns status` mostra i tentativi rimasti.',
    },
    pinpadLeft_G: {
      en: 'Left without waiting for the reader: a PIN still typed on it and confirmed with OK would reach the card. Press Cancel on the reader; when you start the program again, the tries left are shown above the menu.',
      it: 'Uscito senza attendere il lettore: un PIN ancora digitato sul lettore e confermato con OK arriverebbe alla carta. Premi Annulla sul lettore; riavviando il programma, i tentativi rimasti sono indicati sopra il menu.',
    },
    pinpadChange: {
      en: 'On the reader: type the current PIN, then the new PIN, then the new PIN again, pressing OK after each (30 seconds each).',
      it: 'Sul lettore: digita il PIN attuale, poi il nuovo PIN, poi di nuovo il nuovo PIN, premendo OK dopo ciascuno (30 secondi ciascuno).',
    },
    pinpadUnblockKeyboard: {
      en: "The reader's keypad cannot take the PUK and the new PIN in one command: they are asked here, on the keyboard.",
      it: 'Il tastierino del lettore non può ricevere PUK e nuovo PIN in un solo comando: vengono chiesti qui, sulla tastiera.',
    },
    PIN_MISMATCH: {
      en: 'The two new PINs do not match. Nothing was sent to the card.',
      it: 'I due nuovi PIN non coincidono. Nulla è stato inviato alla carta.',
    },
    NO_SECRET_SOURCE: {
      en: 'No terminal to ask for the {what}: give it with --stdin or --env (never as an argument).',
      it: 'Nessun terminale per chiedere il {what}: forniscilo con --stdin o --env (mai come argomento).',
    },
    PIN_INCORRECT: { en: 'Wrong PIN. Tries left: {tries}.', it: 'PIN errato. Tentativi rimasti: {tries}.' },
    PUK_INCORRECT: { en: 'Wrong PUK. Tries left: {tries}.', it: 'PUK errato. Tentativi rimasti: {tries}.' },
    PIN_INCORRECT_UNKNOWN: {
      en: 'Wrong PIN. The card counted it; how many tries are left is not known here (cns status --backend pcsc reads it).',
      it: 'PIN errato. La carta lo ha contato; quanti tentativi restano qui non si sa (cns status --backend pcsc lo legge).',
    },
    PUK_INCORRECT_UNKNOWN: {
      en: 'Wrong PUK. The card counted it; how many tries are left is not known here.',
      it: 'PUK errato. La carta lo ha contato; quanti tentativi restano qui non si sa.',
    },
    PIN_INCORRECT_SIG: {
      en: 'Wrong signature PIN. Tries left: {tries}.',
      it: 'PIN di firma errato. Tentativi rimasti: {tries}.',
    },
    PUK_INCORRECT_SIG: { en: 'Wrong signature PUK. Tries left: {tries}.', it: 'PUK di firma errato. Tentativi rimasti: {tries}.' },
    PIN_BLOCKED_SIG: {
      en: 'The signature PIN is blocked. Unblock it with the signature PUK: cns pin unblock --signature (the PIN and PUK of the card, for logging in, are not affected)',
      it: "Il PIN di firma è bloccato. Sbloccalo con il PUK di firma: cns pin unblock --signature (PIN e PUK della carta, per l'accesso ai servizi, non sono coinvolti)",
    },
    PIN_BLOCKED_NOW_SIG: {
      en: 'Wrong signature PIN: that was the last try and the signature PIN is now blocked. Unblock it with the signature PUK: cns pin unblock --signature',
      it: "PIN di firma errato: era l'ultimo tentativo e ora il PIN di firma è bloccato. Sbloccalo con il PUK di firma: cns pin unblock --signature",
    },
    PUK_BLOCKED_SIG: {
      en: 'The signature PUK is blocked: the signature key cannot be used any more. Logging in with the card (its own PIN and PUK) still works.',
      it: "Il PUK di firma è bloccato: la chiave di firma non si può più usare. L'accesso ai servizi con la carta (il suo PIN e PUK) funziona ancora.",
    },
    PUK_BLOCKED_NOW_SIG: {
      en: 'Wrong signature PUK: that was the last try and the signature PUK is now blocked: the signature key cannot be used any more. Logging in with the card (its own PIN and PUK) still works.',
      it: "PUK di firma errato: era l'ultimo tentativo e ora il PUK di firma è bloccato: la chiave di firma non si può più usare. L'accesso ai servizi con la carta (il suo PIN e PUK) funziona ancora.",
    },
    PIN_BLOCKED: {
      en: 'The PIN is blocked. Unblock it with the PUK: cns pin unblock',
      it: 'Il PIN è bloccato. Sbloccalo con il PUK: cns pin unblock',
    },
    PUK_BLOCKED: {
      en: 'The PUK is blocked: the card can no longer be unblocked: {@adviceNewCard}',
      it: 'Il PUK è bloccato: la carta non può più essere sbloccata: {@adviceNewCard}',
    },
    // One piece of advice per situation, referred to as {@key} by every message that gives it
    // (issue 23 item 3): a blocked PUK, starting the PC/SC service.
    adviceNewCard: {
      en: 'ask the Agenzia delle Entrate for a new card (on its website or at its offices), then get its PIN and PUK at the offices of your Region that issue them.',
      it: "chiedi una nuova tessera all'Agenzia delle Entrate (sul suo sito o nei suoi uffici), poi ritira il PIN e il PUK agli sportelli della tua Regione che li rilasciano.",
    },
    cmdStartPcscd: { en: 'sudo systemctl enable --now pcscd.socket', it: 'sudo systemctl enable --now pcscd.socket' },
    // Windows: the "Smart Card" service, SCardSvr; since Windows 8 it starts when a reader is
    // connected and stops when the last one goes (Microsoft, "What's New in Smart Cards")
    cmdStartPcscd_win32: { en: 'sc start SCardSvr', it: 'sc start SCardSvr' },
    // macOS starts its smart-card service (com.apple.ctkpcscd) itself when a reader is connected
    cmdStartPcscd_darwin: { en: 'unplug the reader and plug it back in', it: 'scollega il lettore e ricollegalo' },
    cmdInstallOpensc: { en: 'sudo apt-get install opensc-pkcs11', it: 'sudo apt-get install opensc-pkcs11' },
    cmdInstallOpensc_win32: {
      en: 'OpenSC for Windows: the .msi installer from github.com/OpenSC/OpenSC/releases',
      it: 'OpenSC per Windows: il programma di installazione .msi da github.com/OpenSC/OpenSC/releases',
    },
    // OpenSC's macOS package installs /Library/OpenSC; Homebrew's cask is opensc-app (formerly opensc), and `brew install` takes a cask's name too
    cmdInstallOpensc_darwin: {
      en: 'OpenSC for macOS: the .dmg from github.com/OpenSC/OpenSC/releases, or "brew install opensc-app"',
      it: 'OpenSC per macOS: il file .dmg da github.com/OpenSC/OpenSC/releases, oppure "brew install opensc-app"',
    },
    PIN_BLOCKED_PUK_TOO: {
      en: 'The PIN is blocked, and so is the PUK: the card can no longer be unblocked: {@adviceNewCard}',
      it: 'Il PIN è bloccato, e anche il PUK: la carta non può più essere sbloccata: {@adviceNewCard}',
    },
    PIN_BLOCKED_NOW: {
      en: 'Wrong PIN: that was the last try and the PIN is now blocked. Unblock it with the PUK: cns pin unblock',
      it: "PIN errato: era l'ultimo tentativo e ora il PIN è bloccato. Sbloccalo con il PUK: cns pin unblock",
    },
    PUK_BLOCKED_NOW: {
      en: 'Wrong PUK: that was the last try and the PUK is now blocked. The card can no longer be unblocked: {@adviceNewCard}',
      it: "PUK errato: era l'ultimo tentativo e ora il PUK è bloccato. La carta non può più essere sbloccata: {@adviceNewCard}",
    },
    NO_READER: {
      en: 'No smart-card reader found. Connect a reader, or try the virtual card: --reader sim',
      it: 'Nessun lettore di smart card trovato. Collega un lettore, o prova la carta virtuale: --reader sim',
    },
    READER_UNKNOWN: { en: 'No reader matches "{reader}". Readers: {list}', it: 'Nessun lettore corrisponde a "{reader}". Lettori: {list}' },
    READER_AMBIGUOUS: {
      en: 'More than one reader could be meant: {list}. Choose one with --reader (name, part of it, or number).',
      it: 'Più di un lettore è possibile: {list}. Scegline uno con --reader (nome, parte del nome o numero).',
    },
    PCSC_UNAVAILABLE: {
      en: 'The smart-card service (PC/SC, pcscd) is not available: {detail}',
      it: 'Il servizio smart card (PC/SC, pcscd) non è disponibile: {detail}',
    },
    PCSC_UNAVAILABLE_win32: {
      en: 'The Windows smart-card service ("Smart Card") is not available: {detail}',
      it: 'Il servizio smart card di Windows ("Smart Card") non è disponibile: {detail}',
    },
    PCSC_UNAVAILABLE_darwin: {
      en: 'The macOS smart-card service (PC/SC) is not available: {detail}',
      it: 'Il servizio smart card di macOS (PC/SC) non è disponibile: {detail}',
    },
    noCardIn: { en: 'no card in "{reader}"', it: 'nessuna carta in "{reader}"' },
    noCardAnywhere: {
      en: 'no card in any reader. Insert the card (chip side as shown on the reader). A new health card without a chip can never be a CNS.',
      it: 'nessuna carta nei lettori. Inserisci la tessera (con il chip come indicato sul lettore). Una tessera sanitaria nuova senza chip non può mai essere una CNS.',
    },
    notCns: { en: 'not a TS-CNS', it: 'non è una TS-CNS' },
    nfcNote: {
      en: "Read without contact (NFC): reading, the PIN and signing work here; to change or unblock the PIN, or to write the certificate, put the card in the reader's contact slot (a card moved during a write can interrupt it).",
      it: "Letta senza contatto (NFC): lettura, PIN e firma funzionano qui; per cambiare o sbloccare il PIN, o per scrivere il certificato, inserisci la carta nell'alloggiamento a contatto del lettore (una carta spostata durante una scrittura può interromperla).",
    },
    dNfc: {
      en: 'the card is seen through the contactless (NFC) interface',
      it: "la carta è vista tramite l'interfaccia senza contatto (NFC)",
    },
    dContact: { en: 'the card is seen through the contact interface', it: "la carta è vista tramite l'interfaccia a contatto" },
    lInterface: { en: 'Interface', it: 'Interfaccia' },
    nsCie: { en: 'an electronic identity card (CIE), not a CNS', it: "una carta d'identità elettronica (CIE), non una CNS" },
    nsAtr: { en: 'the ATR does not say CNS', it: "l'ATR non dice CNS" },
    nsProbed: {
      en: 'neither its ATR nor its files (read without a PIN) are those of a CNS',
      it: 'né il suo ATR né i suoi file (letti senza PIN) sono quelli di una CNS',
    },
    pcscRestart: {
      en: 'Restart the smart-card service: "sudo systemctl restart pcscd" (or stop the pcscd process and run "pcscd" again), then try again.',
      it: 'Riavvia il servizio smart card: "sudo systemctl restart pcscd" (oppure ferma il processo pcscd e rilancia "pcscd"), poi riprova.',
    },
    pcscRestart_win32: {
      en: 'Unplug the reader and plug it back in (Windows restarts its smart-card service with it), or restart the "Smart Card" service (as administrator: "net stop SCardSvr", then "net start SCardSvr"), then try again.',
      it: 'Scollega il lettore e ricollegalo (Windows riavvia con esso il servizio smart card), oppure riavvia il servizio "Smart Card" (come amministratore: "net stop SCardSvr", poi "net start SCardSvr"), poi riprova.',
    },
    pcscRestart_darwin: {
      en: 'Unplug the reader and plug it back in; if the service still does not answer, restart the Mac, then try again.',
      it: 'Scollega il lettore e ricollegalo; se il servizio ancora non risponde, riavvia il Mac, poi riprova.',
    },
    pcscStart: {
      en: 'Start the smart-card service: "{@cmdStartPcscd}" (without systemd: run "pcscd"), then try again. To try cns without a reader: --reader sim',
      it: 'Avvia il servizio smart card: "{@cmdStartPcscd}" (senza systemd: esegui "pcscd"), poi riprova. Per provare cns senza lettore: --reader sim',
    },
    pcscStart_win32: {
      en: 'Connect the smart-card reader: Windows starts its smart-card service when a reader is connected and stops it when none is. If it is connected, start the "Smart Card" service (in Services, or as administrator: "{@cmdStartPcscd}"), then try again. To try cns without a reader: --reader sim',
      it: 'Collega il lettore di smart card: Windows avvia il servizio smart card quando un lettore è collegato e lo ferma quando non ce n\'è nessuno. Se è collegato, avvia il servizio "Smart Card" (da Servizi, o come amministratore: "{@cmdStartPcscd}"), poi riprova. Per provare cns senza lettore: --reader sim',
    },
    pcscStart_darwin: {
      en: 'Connect the smart-card reader (macOS starts its smart-card service with it); if it is connected, unplug it and plug it back in, then try again. To try cns without a reader: --reader sim',
      it: 'Collega il lettore di smart card (macOS avvia con esso il servizio smart card); se è collegato, scollegalo e ricollegalo, poi riprova. Per provare cns senza lettore: --reader sim',
    },
    pcscInstall: {
      en: 'PC/SC is not installed: install the smart-card service ("sudo apt-get install pcscd", which brings libpcsclite1; on Fedora "pcsc-lite"), then try again; cns needs no reinstall. The virtual card works without it: --reader sim',
      it: 'PC/SC non è installato: installa il servizio smart card ("sudo apt-get install pcscd", che porta libpcsclite1; su Fedora "pcsc-lite"), poi riprova; non serve reinstallare cns. La carta virtuale funziona anche senza: --reader sim',
    },
    // Windows and macOS always have their PC/SC library: what is missing is part of cns
    pcscInstall_win32: {
      en: 'The smart-card library of Windows (winscard.dll) cannot be used by cns: its installation is incomplete. Reinstall cns, then try again. The virtual card works without it: --reader sim',
      it: 'La libreria smart card di Windows (winscard.dll) non è utilizzabile da cns: la sua installazione è incompleta. Reinstalla cns, poi riprova. La carta virtuale funziona anche senza: --reader sim',
    },
    pcscInstall_darwin: {
      en: 'The smart-card framework of macOS (PCSC.framework) cannot be used by cns: its installation is incomplete. Reinstall cns, then try again. The virtual card works without it: --reader sim',
      it: 'Il framework smart card di macOS (PCSC.framework) non è utilizzabile da cns: la sua installazione è incompleta. Reinstalla cns, poi riprova. La carta virtuale funziona anche senza: --reader sim',
    },
    PKCS11_UNAVAILABLE: { en: 'PKCS#11 is not available: {detail}', it: 'PKCS#11 non è disponibile: {detail}' },
    PKCS11_MODULE_ERROR: {
      en: 'The PKCS#11 module failed: {detail}. The card was not changed by cns; try the PC/SC backend (--backend pcsc) or reinstall the middleware.',
      it: 'Il modulo PKCS#11 ha avuto un errore: {detail}. cns non ha modificato la carta; prova il backend PC/SC (--backend pcsc) o reinstalla il middleware.',
    },
    PKCS11_NOT_SUPPORTED: {
      en: "{detail}. Use the PC/SC backend (--backend pcsc), which unblocks with RESET RETRY COUNTER, or the middleware's own tool.",
      it: '{detail}. Usa il backend PC/SC (--backend pcsc), che sblocca con RESET RETRY COUNTER, o lo strumento del middleware.',
    },
    noPkcs11Module: {
      en: 'no PKCS#11 module found (OpenSC, bit4id xPKI, Athena IDProtect); install one ({@cmdInstallOpensc}) or give --module PATH',
      it: 'nessun modulo PKCS#11 trovato (OpenSC, bit4id xPKI, Athena IDProtect); installane uno ({@cmdInstallOpensc}) o indica --module PERCORSO',
    },
    CARD_BUSY: {
      en: 'The card is in use by another program ({detail}). Try again.',
      it: 'La carta è in uso da un altro programma ({detail}). Riprova.',
    },
    CARD_BUSY_EXCLUSIVE: {
      en: 'Another program holds the card for itself ({detail}). Close the programs that may use it (a browser, signing software), then try again.',
      it: 'Un altro programma tiene la carta per sé ({detail}). Chiudi i programmi che possono usarla (un browser, un software di firma), poi riprova.',
    },
    CARD_BUSY_UNKNOWN: {
      en: 'The card cannot be reached: another program is using it, or it stopped answering ({detail}). Close the programs that may use it (a browser, signing software) and try again; if none is open, take the card out and put it back.',
      it: "La carta non è raggiungibile: la sta usando un altro programma, oppure ha smesso di rispondere ({detail}). Chiudi i programmi che possono usarla (un browser, un software di firma) e riprova; se non ce n'è nessuno aperto, estrai la carta e reinseriscila.",
    },
    CARD_NOT_ANSWERING_STUCK: {
      en: 'The card in "{reader}" stopped answering at {at}, and it has not been taken out since: nothing can reach it. Take it out, put it back (chip first, as shown on the reader) and try again; if it keeps happening, the card or the reader is faulty.',
      it: 'La carta nel lettore "{reader}" ha smesso di rispondere alle {at} e da allora non è stata estratta: nulla può raggiungerla. Estraila, reinseriscila (con il chip come indicato sul lettore) e riprova; se succede ancora, la carta o il lettore sono guasti.',
    },
    NO_CARD: { en: 'No card: {detail}', it: 'Nessuna carta: {detail}' },
    CARD_REMOVED: {
      en: 'The card was removed or stopped answering during the operation.',
      it: "La carta è stata rimossa o ha smesso di rispondere durante l'operazione.",
    },
    CARD_REMOVED_UNSENT: {
      en: 'The card was removed: nothing was sent to it, and its tries are as they were. Insert it and try again.',
      it: 'La carta è stata estratta: non le è stato inviato nulla e i tentativi sono quelli di prima. Reinseriscila e riprova.',
    },
    CARD_REMOVED_BEFORE: {
      en: 'The card was removed before the {what} was sent: nothing reached the card and its tries are as they were. Insert it and try again.',
      it: 'La carta è stata estratta prima che il {what} fosse inviato: alla carta non è arrivato nulla e i tentativi sono quelli di prima. Reinseriscila e riprova.',
    },
    CARD_REMOVED_SECRET: {
      en: 'The card was removed during a {what} operation: its outcome is unknown. Reinsert the card and run "cns status" to see the tries left before trying again.',
      it: 'La carta è stata rimossa durante un\'operazione sul {what}: l\'esito è sconosciuto. Reinserisci la carta ed esegui "cns status" per vedere i tentativi rimasti prima di riprovare.',
    },
    CARD_NOT_ANSWERING: {
      en: 'The card does not answer ({detail}). Take it out, put it back (chip first, as shown on the reader) and try again; if it keeps happening, the card or the reader is faulty.',
      it: 'La carta non risponde ({detail}). Estraila, reinseriscila (con il chip come indicato sul lettore) e riprova; se succede ancora, la carta o il lettore sono guasti.',
    },
    CARD_NOT_ANSWERING_SECRET: {
      en: 'The card stopped answering during a {what} operation ({detail}): its outcome is unknown. Take the card out, put it back and run "cns status" to see the tries left before trying again.',
      it: 'La carta ha smesso di rispondere durante un\'operazione sul {what} ({detail}): l\'esito è sconosciuto. Estrai la carta, reinseriscila ed esegui "cns status" per vedere i tentativi rimasti prima di riprovare.',
    },
    CARD_BAD_ANSWER: {
      en: 'The card answers incorrectly ({detail}). It may be damaged, or not a TS-CNS; take it out, put it back and try again.',
      it: 'La carta risponde in modo errato ({detail}). Potrebbe essere danneggiata, o non essere una TS-CNS; estraila, reinseriscila e riprova.',
    },
    CARD_BAD_ANSWER_SECRET: {
      en: 'The card answered incorrectly during a {what} operation ({detail}): its outcome is unknown. Run "cns status" to see the tries left before trying again.',
      it: 'La carta ha risposto in modo errato durante un\'operazione sul {what} ({detail}): l\'esito è sconosciuto. Esegui "cns status" per vedere i tentativi rimasti prima di riprovare.',
    },
    CARD_UNSUPPORTED: {
      en: 'This card is not a supported TS-CNS ({detail}). ATR to quote when reporting it: {atr}',
      it: 'Questa carta non è una TS-CNS supportata ({detail}). ATR da indicare nella segnalazione: {atr}',
    },
    CARD_UNSUPPORTED_CIE: { en: '{@advCIE}', it: '{@advCIE}' },
    CARD_ERROR: { en: 'The card answered an error: {detail}', it: 'La carta ha risposto con un errore: {detail}' },
    CERT_LAYOUT_UNKNOWN: {
      en: 'Your card is fine: this version of cns does not read the certificate of this card model yet. Please report it, quoting the ATR: {atr}',
      it: "La tua carta non ha problemi: questa versione di cns non legge ancora il certificato di questo modello di carta. Segnalalo indicando l'ATR: {atr}",
    },
    // a certificate read and found damaged is not "no readable certificate": it is said as what it is
    NO_CERTIFICATE_DAMAGED: { en: '{@advCERT_DAMAGED}', it: '{@advCERT_DAMAGED}' },
    rule_CARD_READABLE_damaged: { en: '{@pr_CERT_SIGNATURE_INVALID}', it: '{@pr_CERT_SIGNATURE_INVALID}' },
    NO_CERTIFICATE: {
      en: 'No readable authentication certificate on the card: {detail}',
      it: 'Nessun certificato di autenticazione leggibile sulla carta: {detail}',
    },
    CERT_EXPIRED: {
      en: 'The certificate expired on {date} ({days} {days|day|days} ago).',
      it: 'Il certificato è scaduto il {date} ({days} {days|giorno|giorni} fa).',
    },
    CERT_EXPIRING: {
      en: 'The certificate expires on {date}: {days} {days|day|days} left.',
      it: 'Il certificato scade il {date}: {days|manca|mancano} {days} {days|giorno|giorni}.',
    },
    CERT_NOT_YET_VALID: { en: 'The certificate is not valid before {date}.', it: 'Il certificato non è valido prima del {date}.' },
    LAST_ATTEMPT_REFUSED: {
      en: 'Only one {what} try is left: a wrong one will block it. Nothing was sent. Run again with --last-attempt if you are sure.',
      it: 'Resta un solo tentativo per il {what}: uno sbagliato lo bloccherà. Nulla è stato inviato. Ripeti con --last-attempt se sei sicuro.',
    },
    BROWSER_OPEN: {
      en: 'A browser is open: its database was left as it was. Close it, then run the command again.',
      it: 'Un browser è aperto: il suo database non è stato toccato. Chiudilo, poi ripeti il comando.',
    },
    BROWSER_CHANGE_FAILED: {
      en: 'Not every browser database could be changed (see the lines above).',
      it: 'Non è stato possibile modificare tutti i database dei browser (vedi le righe sopra).',
    },
    CHECKS_FAILED: {
      en: 'Failed checks: {codes}. The first: {first}',
      it: 'Controlli non superati: {codes}. Il primo: {first}',
    },
    DECLINED: { en: 'Cancelled. Nothing was sent to the card.', it: 'Annullato. Nulla è stato inviato alla carta.' },
    FILE_EXISTS: { en: '{path} already exists (use --force to replace it).', it: '{path} esiste già (usa --force per sostituirlo).' },
    NOT_ELIGIBLE: {
      en: 'The card is not eligible for the 2023 extension: {detail}',
      it: 'Proroga 2023 non possibile per questa carta: {detail}',
    },
    SERVICE_ERROR: {
      en: 'The extension service failed: {detail}. The card was not changed.',
      it: 'Il servizio di estensione ha avuto un errore: {detail}. La carta non è stata modificata.',
    },
    EXTENSION_PENDING: {
      en: 'An interrupted certificate write is pending for this card: finish it with "cns extend --resume" (backups in {dir}).',
      it: 'Per questa carta c\'è una scrittura del certificato interrotta: completala con "cns extend --resume" (copie in {dir}).',
    },
    NOTHING_TO_RESUME: { en: 'Nothing to resume for card {card}.', it: 'Nulla da riprendere per la carta {card}.' },
    WRITE_VERIFY_FAILED: {
      en: 'EF 1101 does not read back as written. Run "cns extend --resume" to write it again (backups in {dir}).',
      it: 'EF 1101 riletto non corrisponde a quanto scritto. Esegui "cns extend --resume" per riscriverlo (copie in {dir}).',
    },
    IO_ERROR: { en: 'Cannot {op} {path}: {detail}', it: 'Impossibile {op} {path}: {detail}' },
    INTERNAL: { en: 'Internal error: {detail}', it: 'Errore interno: {detail}' },

    // cns doctor: advice
    advREADERS: {
      en: 'Connect a smart-card reader (check the cable, try another USB port).',
      it: "Collega un lettore di smart card (controlla il cavo, prova un'altra porta USB).",
    },
    advPKCS11_MODULES: {
      en: 'Browsers need a PKCS#11 module for the card: {@cmdInstallOpensc} (or the middleware of the card generation), then load it in the browser.',
      it: 'I browser hanno bisogno di un modulo PKCS#11 per la carta: {@cmdInstallOpensc} (o il middleware della generazione della carta), poi caricalo nel browser.',
    },
    advCARD_PRESENT: {
      en: 'Insert the card, chip first and facing as the reader shows. A health card issued without a chip (since June 2022 some are) can never be a CNS.',
      it: 'Inserisci la tessera, con il chip come indicato sul lettore. Una tessera sanitaria emessa senza chip (dal giugno 2022 alcune lo sono) non può mai essere una CNS.',
    },
    advCARD_BUSY: {
      en: 'Close the programs that may use the card (a browser, signing software, another cns) and run cns doctor again; if none is open, take the card out and put it back.',
      it: "Chiudi i programmi che possono usare la carta (un browser, un software di firma, un altro cns) e riesegui cns doctor; se non ce n'è nessuno aperto, estrai la carta e reinseriscila.",
    },
    advCARD_NOT_ANSWERING: {
      en: 'Take the card out, put it back and run cns doctor again. If it still does not answer, try it in another reader: if it works there, the first reader is at fault; if not, report it quoting the ATR.',
      it: "Estrai la carta, reinseriscila e riesegui cns doctor. Se ancora non risponde, provala in un altro lettore: se lì funziona, il problema è il primo lettore; se no, segnalala indicando l'ATR.",
    },
    advATR: {
      en: 'This card generation is not supported (yet): report it quoting the ATR. If the reader has two interfaces (contact and contactless), try the other one.',
      it: "Questa generazione di carta non è (ancora) supportata: segnalala indicando l'ATR. Se il lettore ha due interfacce (contatto e contactless), prova l'altra.",
    },
    advATR_UNLISTED: {
      en: 'This card model is not in the list of cns yet: what could be read is shown by the other checks. Reporting its ATR ({atr}) helps name it.',
      it: "Questo modello di carta non è ancora nell'elenco di cns: quello che si è potuto leggere è nei controlli successivi. Segnalarne l'ATR ({atr}) aiuta a riconoscerlo.",
    },
    advCIE: {
      en: 'This is the electronic identity card (CIE), not the health card. Insert the Tessera Sanitaria (the card with the chip and the codice fiscale) instead.',
      it: "Questa è la carta d'identità elettronica (CIE), non la tessera sanitaria. Inserisci invece la Tessera Sanitaria (la carta con il chip e il codice fiscale).",
    },
    advMIDDLEWARE: {
      en: 'Install the middleware this card generation needs, or OpenSC ({@cmdInstallOpensc}).',
      it: 'Installa il middleware richiesto da questa generazione di carta, oppure OpenSC ({@cmdInstallOpensc}).',
    },
    advPIN_BLOCKED: { en: 'Unblock the PIN with the PUK: cns pin unblock', it: 'Sblocca il PIN con il PUK: cns pin unblock' },
    advPIN_LOW: {
      en: 'One PIN try left: check the PIN (the regional office can tell) before trying.',
      it: "Resta un tentativo per il PIN: verifica il PIN (l'ufficio regionale può aiutare) prima di provare.",
    },
    advPUK_BLOCKED: {
      en: 'The PUK is blocked: the card can no longer be unblocked: {@adviceNewCard}',
      it: 'Il PUK è bloccato: la carta non può più essere sbloccata: {@adviceNewCard}',
    },
    advPUK_LOW: {
      en: 'One PUK try left: a wrong PUK ends the card. Get the PUK letter from the regional office first.',
      it: "Resta un tentativo per il PUK: un PUK errato rende la carta inutilizzabile. Recupera prima la lettera del PUK presso l'ufficio regionale.",
    },
    advCERTIFICATE: {
      en: 'The certificate has expired: online services refuse the card, which still works as health card and codice fiscale. {@adviceExpiredCard}',
      it: 'Il certificato è scaduto: i servizi online rifiutano la carta, che funziona ancora come tessera sanitaria e codice fiscale. {@adviceExpiredCard}',
    },
    advCERT_DAMAGED: {
      en: 'The certificate on the card is damaged: its signature does not verify with its issuer. Online services will refuse the card, which still works as health card and codice fiscale. To log in again: {@adviceNewCard}',
      it: 'Il certificato sulla carta è danneggiato: la sua firma non è verificata dal suo emittente. I servizi online rifiuteranno la carta, che funziona ancora come tessera sanitaria e codice fiscale. Per tornare ad accedere: {@adviceNewCard}',
    },

    adviceExpiredCard: {
      en: 'A new health card comes by post from the Agenzia delle Entrate; to use it as a CNS, ask the offices of your Region (or your ASL) to activate it.',
      it: "La nuova tessera sanitaria arriva per posta dall'Agenzia delle Entrate; per usarla come CNS chiedi l'attivazione agli uffici della tua Regione (o alla tua ASL).",
    },
    advCERT_NOT_YET: {
      en: "The certificate is valid only from {date}: check this computer's date and time. If they are right, online services accept the card from that day; the card is not faulty.",
      it: "Il certificato è valido solo dal {date}: controlla la data e l'ora di questo computer. Se sono giuste, i servizi online accetteranno la carta da quel giorno; la carta non è guasta.",
    },
    advCERT_UNREAD: {
      en: 'This does not mean the card is broken: this version of cns could not find or decode the certificate of this card model. Report it quoting the ATR {atr}; meanwhile the middleware of the card issuer may still use it.',
      it: "Non significa che la carta sia guasta: questa versione di cns non è riuscita a trovare o decodificare il certificato di questo modello di carta. Segnalalo indicando l'ATR {atr}; nel frattempo il middleware dell'ente emittente potrebbe comunque usarla.",
    },
    advCERT_EXPIRING: {
      en: 'The certificate expires soon: ask for a new card in time.',
      it: 'Il certificato scade presto: chiedi per tempo una nuova tessera.',
    },
    advDATA: {
      en: 'The card data disagree with each other: report it to the issuer.',
      it: "I dati della carta non sono coerenti tra loro: segnalalo all'ente emittente.",
    },
    advCERT_WRITE: {
      en: 'Finish the interrupted certificate write: cns extend --resume',
      it: 'Completa la scrittura del certificato interrotta: cns extend --resume',
    },
    // what the system said, in words
    ioOp_write: { en: 'write', it: 'scrivere' },
    ioOp_open: { en: 'open', it: 'aprire' },
    ioOp_read: { en: 'read', it: 'leggere' },
    ioOp_use: { en: 'use', it: 'usare' },
    ioOp_mkdir: { en: 'create the folder', it: 'creare la cartella' },
    'ioOp_listen on': { en: 'listen on', it: 'ascoltare su' },
    io_ELOOP: {
      en: 'it is a symbolic link, and cns writes nothing through a link it did not create: remove it or choose another name',
      it: 'è un collegamento simbolico, e cns non scrive nulla attraverso un collegamento che non ha creato: rimuovilo o scegli un altro nome',
    },
    io_ENOENT: { en: 'the folder does not exist', it: 'la cartella non esiste' },
    certDamaged: { en: '{@pr_CERT_SIGNATURE_INVALID}', it: '{@pr_CERT_SIGNATURE_INVALID}' },

    svcListening: { en: 'listening on {url}', it: 'in ascolto su {url}' },
    uSimPkcs11: {
      en: 'the virtual card (--reader sim) is reached in-process, not through PKCS#11; attach it (cns sim attach) to use a module',
      it: 'la carta virtuale (--reader sim) si usa direttamente, non tramite PKCS#11; inseriscila in un lettore virtuale (cns sim attach) per usare un modulo',
    },
    pcscStopped: { en: 'the smart-card service stopped', it: 'il servizio smart card si è fermato' },
    signNoVerify: {
      en: 'the card signature does not verify with its certificate',
      it: 'la firma della carta non risulta valida con il suo certificato',
    },
    extNoCardId: { en: 'EF_ID_Carta does not hold a 16-digit card id', it: 'EF_ID_Carta non contiene un numero di carta di 16 cifre' },
    extLayout: {
      en: 'this card model keeps its certificate outside EF 1101 and was issued after the 2023 extension: it is never written',
      it: "questo modello di carta tiene il certificato fuori dall'EF 1101 ed è stato emesso dopo l'estensione del 2023: non viene mai scritto",
    },
    extNeedsApdu: {
      en: 'writing the certificate (EF 1101) needs raw APDUs: use the PC/SC backend or the virtual card',
      it: 'scrivere il certificato (EF 1101) richiede APDU dirette: usa il backend PC/SC o la carta virtuale',
    },
    wCertificate: { en: 'certificate', it: 'certificato' },
    inFileMissing: { en: 'the file {path} does not exist', it: 'il file {path} non esiste' },
    io_EACCES: { en: 'permission denied', it: 'permesso negato' },
    io_EPERM: { en: 'permission denied', it: 'permesso negato' },
    io_EISDIR: { en: 'it is a folder', it: 'è una cartella' },
    io_EROFS: { en: 'read-only', it: 'di sola lettura' },
    io_ENOSPC: { en: 'the disk is full', it: 'il disco è pieno' },
    io_EADDRINUSE: { en: 'the address is already in use', it: "l'indirizzo è già in uso" },
    pcscStuck: {
      en: 'the smart-card service (pcscd) took the request and did not answer: it is stuck',
      it: 'il servizio smart card (pcscd) ha ricevuto la richiesta e non ha risposto: è bloccato',
    },
    pcscStuck_win32: {
      en: 'the Windows smart-card service took the request and did not answer: it is stuck',
      it: 'il servizio smart card di Windows ha ricevuto la richiesta e non ha risposto: è bloccato',
    },
    pcscStuck_darwin: {
      en: 'the macOS smart-card service took the request and did not answer: it is stuck',
      it: 'il servizio smart card di macOS ha ricevuto la richiesta e non ha risposto: è bloccato',
    },
    pcscNotAnswering: { en: 'the service does not answer ({code})', it: 'il servizio non risponde ({code})' },
    pcscLibMissing: { en: 'the system PC/SC library cannot be loaded', it: 'la libreria di sistema PC/SC non si carica' },
    // usage mistakes
    uWarnDays: {
      en: '--warn-days must be a whole number of days, not "{value}"',
      it: '--warn-days deve essere un numero intero di giorni, non "{value}"',
    },
    uSimPath: {
      en: '--reader sim:IMAGE needs the path of a card image',
      it: "--reader sim:IMMAGINE richiede il percorso di un'immagine di carta",
    },
    uDateOpt: {
      en: '{option} wants an ISO date (YYYY-MM-DD) or date-time, not "{value}"',
      it: '{option} richiede una data ISO (AAAA-MM-GG) o data e ora, non "{value}"',
    },
    uCrl: { en: 'not an X.509 CRL', it: 'non è una CRL X.509' },
    uTimeout: { en: '--timeout wants seconds > 0, --retries 0 to 10', it: '--timeout richiede secondi > 0, --retries da 0 a 10' },
    uSignTestSignature: {
      en: '--sign-test signs with the authentication key only: it cannot go with --signature (no test signature is made with the signature key)',
      it: '--sign-test firma solo con la chiave di autenticazione: non si usa con --signature (con la chiave di firma non si fa nessuna firma di prova)',
    },
    uBrowserName: {
      en: '"{value}" is not one of the browsers cns sets up: firefox, thunderbird, chrome',
      it: '"{value}" non è uno dei browser che cns configura: firefox, thunderbird, chrome',
    },
    uWatchSim: {
      en: 'watch follows the PC/SC readers; the virtual card is in none of them: put it in a virtual reader (cns sim attach IMAGE) and watch that',
      it: 'watch segue i lettori PC/SC; la carta virtuale non è in nessuno di essi: inseriscila in un lettore virtuale (cns sim attach IMMAGINE) e segui quello',
    },
    uModes: { en: '--check, --resume and --restore go alone', it: '--check, --resume e --restore vanno usati da soli' },
    uBackupCard: { en: 'the backup belongs to card {other}, not {card}', it: 'la copia appartiene alla carta {other}, non alla {card}' },
    uNoFit: { en: '{n} bytes do not fit in EF 1101 ({size})', it: '{n} byte non entrano in EF 1101 ({size})' },
    uVpcd: { en: '--vpcd wants HOST:PORT, not {value}', it: '--vpcd richiede HOST:PORTA, non {value}' },
    uPort: { en: '--port wants a TCP port, not {value}', it: '--port richiede una porta TCP, non {value}' },
    uPortRange: { en: 'port {value} out of range', it: 'porta {value} fuori intervallo' },
    uGarbage: { en: '--garbage wants hexadecimal bytes (possibly none)', it: '--garbage richiede byte esadecimali (anche nessuno)' },
    uCount: { en: '{name} wants a number of APDUs', it: '{name} richiede un numero di APDU' },
    uDerTty: { en: 'DER is binary: give --out FILE or redirect the output', it: "DER è binario: indica --out FILE o reindirizza l'uscita" },
    uJsonOut: {
      en: '--json with cert export needs --out FILE (the output carries the JSON document)',
      it: "--json con cert export richiede --out FILE (l'uscita porta il documento JSON)",
    },
    uShell: { en: 'completion for bash or zsh, not {value}', it: 'completamento per bash o zsh, non {value}' },
    uWhole: { en: '"{value}" is not a whole number', it: '"{value}" non è un numero intero' },
    uDate: { en: '"{value}" is not an ISO date (YYYY-MM-DD) or date-time', it: '"{value}" non è una data ISO (AAAA-MM-GG) o data e ora' },
    uRead: { en: 'cannot read {path} ({code})', it: 'impossibile leggere {path} ({code})' },
    uKeySize: { en: 'must be 1024 or 2048', it: 'deve essere 1024 o 2048' },
    uCaPair: { en: '--ca-cert and --ca-key go together', it: '--ca-cert e --ca-key vanno indicati insieme' },
    // sim create
    sa_start: {
      en: 'cns sim attach: {path} -> vpcd {vpcd} (stop with Ctrl-C)',
      it: 'cns sim attach: {path} -> vpcd {vpcd} (per fermare: Ctrl-C)',
    },
    sa_inserted: { en: 'card inserted (vpcd {vpcd})', it: 'tessera inserita (vpcd {vpcd})' },
    sa_removed: { en: 'card removed', it: 'tessera estratta' },
    sa_unreachable: {
      en: 'cannot reach vpcd at {vpcd} ({code}): is pcscd running, with vsmartcard-vpcd installed? Trying again until it answers',
      it: 'vpcd non raggiungibile su {vpcd} ({code}): il servizio pcscd è attivo, con vsmartcard-vpcd installato? Riprovo finché non risponde',
    },
    sa_powerOff: { en: 'power off', it: 'alimentazione spenta' },
    sa_powerOn: { en: 'power on', it: 'alimentazione accesa' },
    sa_reset: { en: 'reset', it: 'reset della tessera' },
    sa_unknownControl: { en: 'unknown control code {code}', it: 'codice di controllo sconosciuto {code}' },
    sa_faultLeave: {
      en: 'fault injection: leaving the reader after {n} APDUs',
      it: 'guasto simulato: la tessera lascia il lettore dopo {n} APDU',
    },
    sa_faultMute: { en: 'fault injection: mute after {n} APDUs', it: 'guasto simulato: la tessera tace dopo {n} APDU' },
    sa_end: { en: 'card removed (stopped); {n} APDUs, {bytes} bytes', it: 'tessera estratta (fermato); {n} APDU, {bytes} byte' },
    sa_endFault: {
      en: 'card removed (fault injection); {n} APDUs, {bytes} bytes',
      it: 'tessera estratta (guasto simulato); {n} APDU, {bytes} byte',
    },
    rTokenNotRecognized: {
      en: '{module} does not recognise the card in "{reader}"',
      it: '{module} non riconosce la tessera nel lettore "{reader}"',
    },
    rLayout: { en: 'unsupported layout: {detail}', it: 'struttura dei file non supportata: {detail}' },
    rUnresponsive: {
      en: 'the card does not answer ({detail}); if the reader has two slots or interfaces, try the other one',
      it: "la tessera non risponde ({detail}); se il lettore ha due fessure o interfacce, prova l'altra",
    },
    rUnreadable: { en: 'unreadable data: {detail}', it: 'dati illeggibili: {detail}' },
    cr_digits: { en: 'must be {n} digits', it: 'deve essere di {n} cifre' },
    cr_range: { en: 'must be a whole number from {from} to {to}', it: 'deve essere un numero intero da {from} a {to}' },
    cr_atr: { en: 'not a well-formed ATR', it: 'non è un ATR ben formato' },
    cr_atrGeneration: { en: 'goes with neither --generation nor --contactless', it: 'non va insieme a --generation né a --contactless' },
    cr_generation: { en: 'unknown generation; the known ones: {names}', it: 'generazione sconosciuta; quelle note: {names}' },
    cr_contactlessGeneration: {
      en: 'a contact card: with --contactless use one of {names}',
      it: 'è una carta a contatto: con --contactless usa una tra {names}',
    },
    cr_cf: {
      en: 'codice fiscale {cf} is not valid (check character {check} expected)',
      it: 'il codice fiscale {cf} non è valido (carattere di controllo atteso: {check})',
    },
    cr_cardId: {
      en: 'must be 16 digits with a valid Luhn check digit',
      it: 'deve essere di 16 cifre con una cifra di controllo Luhn valida',
    },
    cr_certKey: { en: '--cert and --key go together', it: '--cert e --key vanno indicati insieme' },
    cr_keyMismatch: { en: 'the key does not match the certificate', it: 'la chiave non corrisponde al certificato' },
    cr_keyRsa: { en: 'the key must be RSA', it: 'la chiave deve essere RSA' },
    cr_dates: { en: 'not-after must be later than not-before', it: 'not-after deve essere successiva a not-before' },
    // prompt key hints
    hintNavigate: { en: 'navigate', it: 'sposta' },
    hintSelect: { en: 'select', it: 'scegli' },
    hintToggle: { en: 'show/hide', it: 'mostra/nascondi' },
    // guided mode
    gCieInserted: {
      en: 'This is the identity card (CIE), not the health card: insert the Tessera Sanitaria instead (Ctrl-C to leave)...',
      it: "Questa è la carta d'identità (CIE), non la tessera sanitaria: inserisci invece la Tessera Sanitaria (Ctrl-C per uscire)...",
    },
    gNotTsCns: {
      en: 'This card is not a Tessera Sanitaria: insert the health card instead (Ctrl-C to leave)...',
      it: 'Questa carta non è una Tessera Sanitaria: inserisci invece la tessera sanitaria (Ctrl-C per uscire)...',
    },
    gPickReader: {
      en: 'Cards are in more than one reader: which one is the Tessera Sanitaria?',
      it: "Ci sono carte in più lettori: in quale c'è la Tessera Sanitaria?",
    },
    gInsert: { en: 'Insert the card in the reader (Ctrl-C to leave)...', it: 'Inserisci la tessera nel lettore (Ctrl-C per uscire)...' },
    gTitle: { en: 'cns — your TS-CNS', it: 'cns — la tua TS-CNS' },
    gMenu: { en: 'What do you want to do?', it: 'Cosa vuoi fare?' },
    gVerify: { en: 'Check my PIN', it: 'Verifica il PIN' },
    gChange: { en: 'Change my PIN', it: 'Cambia il PIN' },
    gUnblock: { en: 'Unblock the PIN with the PUK', it: 'Sblocca il PIN con il PUK' },
    gShow: { en: 'Show the certificate', it: 'Mostra il certificato' },
    gExport: { en: 'Save the certificate to a file', it: 'Salva il certificato in un file' },
    gExtension: { en: 'Check the 2023 extension', it: 'Verifica la proroga 2023' },
    gDoctor: { en: 'Diagnose problems', it: 'Diagnosi dei problemi' },
    gBrowser: { en: 'Set up the browser', it: 'Configura il browser' },
    gBrowserSetup: {
      en: 'Register the card module in the browsers found? (close them first)',
      it: 'Registrare il modulo della carta nei browser trovati? (prima chiudili)',
    },
    gBrowserTest: {
      en: 'Try a real login with the card now? (it asks for the PIN)',
      it: 'Provare ora un vero accesso con la carta? (chiede il PIN)',
    },
    gHelp: { en: 'What are PIN and PUK?', it: 'Cosa sono PIN e PUK?' },
    gQuit: { en: 'Exit', it: 'Esci' },
    gWhere: { en: 'File to write', it: 'File da scrivere' },
    gBye: { en: 'Bye.', it: 'Arrivederci.' },
    gHolder: { en: 'Holder', it: 'Titolare' },
    gExpires: { en: 'certificate expires', it: 'il certificato scade' },
    gPinTries: { en: 'PIN tries left', it: 'tentativi PIN rimasti' },
    gPukInfo: {
      en: "PIN: 5 to 8 digits, protects the card's signature; 3 wrong PINs block it.\nPUK: 8 digits, unblocks the PIN; if the PUK is blocked too, only a new card helps.\nBoth are handed out by your region's offices (in Lombardy: two digits on paper, the rest by e-mail or SMS). Nobody will ever ask you for them by phone.",
      it: 'PIN: da 5 a 8 cifre, protegge la firma della carta; 3 PIN errati lo bloccano.\nPUK: 8 cifre, sblocca il PIN; se si blocca anche il PUK serve una nuova tessera.\nEntrambi sono rilasciati dagli uffici della tua Regione (in Lombardia: due cifre su carta, le altre per e-mail o SMS). Nessuno te li chiederà mai per telefono.',
    },
    // user interface
    sigPinName: { en: 'signature PIN', it: 'PIN di firma' },
    sigPukName: { en: 'signature PUK', it: 'PUK di firma' },
    lSignature: { en: 'Signature keyset', it: 'Keyset di firma' },
    sigNone: { en: 'none on this card', it: 'nessuno su questa carta' },
    lSigPin: { en: 'Signature PIN', it: 'PIN di firma' },
    sigSharesPin: {
      en: 'the CNS PIN and PUK (InfoCamere 1204 layout)',
      it: 'gli stessi PIN e PUK della CNS (struttura InfoCamere 1204)',
    },
    sigSharesPinNote: {
      en: "This card's signature key (InfoCamere 1204 layout) uses the CNS PIN and PUK: --signature acts on those.",
      it: 'La chiave di firma di questa carta (struttura InfoCamere 1204) usa PIN e PUK della CNS: --signature agisce su quelli.',
    },
    lSigPuk: { en: 'Signature PUK', it: 'PUK di firma' },
    efEmpty: { en: 'EF {ef} is empty', it: 'EF {ef} è vuoto' },
    efNoDer: { en: 'EF {ef} does not hold a complete DER certificate', it: 'EF {ef} non contiene un certificato DER completo' },
    dSigOk: {
      en: 'signature keyset: certificate valid until {date}; signature PIN tries left {pin}, PUK {puk}',
      it: 'keyset di firma: certificato valido fino al {date}; tentativi PIN di firma rimasti {pin}, PUK {puk}',
    },
    dSigPinBlocked: { en: 'signature keyset: the signature PIN is blocked', it: 'keyset di firma: il PIN di firma è bloccato' },
    dSigPukBlocked: {
      en: 'signature keyset: the signature PUK is blocked; the signature key cannot be used any more',
      it: 'keyset di firma: il PUK di firma è bloccato; la chiave di firma non si può più usare',
    },
    dSigNoCert: { en: 'signature keyset: its certificate cannot be read', it: 'keyset di firma: il suo certificato non si legge' },
    dSigExpired: { en: 'signature keyset: the certificate expired on {date}', it: 'keyset di firma: il certificato è scaduto il {date}' },
    advSigPin: {
      en: 'Unblock it with the signature PUK: cns pin unblock --signature',
      it: 'Sbloccalo con il PUK di firma: cns pin unblock --signature',
    },
    advSigCert: {
      en: 'The signature certificate is renewed by its issuer (the Chamber of Commerce or the provider that issued it).',
      it: 'Il certificato di firma lo rinnova chi lo ha emesso (la Camera di Commercio o il certificatore).',
    },
    noSignatureKeyset: {
      en: 'This card has no signature keyset (only the authentication one): nothing to do with --signature.',
      it: 'Questa carta non ha un keyset di firma (solo quello di autenticazione): nulla da fare con --signature.',
    },
    triesRange: {
      en: '{what} tries left: at least {n} (the module reports no exact count)',
      it: 'Tentativi {what} rimasti: almeno {n} (il modulo non indica il numero esatto)',
    },
    triesUnknown: {
      en: '{what} tries left: unknown (the card or module does not say)',
      it: 'Tentativi {what} rimasti: sconosciuti (la carta o il modulo non lo indica)',
    },
    followUpFailed: {
      en: 'The card confirmed the operation; reading the tries back afterwards failed ({detail}).',
      it: "La carta ha confermato l'operazione; la rilettura dei tentativi subito dopo non è riuscita ({detail}).",
    },
    extPartialNoCopy: {
      en: 'EF 1101 holds a certificate write that stopped before the new certificate was complete, and this machine has no copy of it. Write back the certificate saved when the write began: cns extend --restore FILE (the old-*.der backup), or run --resume on the machine that began it.',
      it: "EF 1101 contiene una scrittura del certificato interrotta prima che il nuovo certificato fosse completo, e questo computer non ne ha una copia. Riscrivi il certificato salvato quando la scrittura è iniziata: cns extend --restore FILE (la copia old-*.der), oppure esegui --resume sul computer che l'ha iniziata.",
    },
    extResumedFromCard: {
      en: 'The interrupted write is finished: the card holds certificate {serial}, valid until {date}.',
      it: 'La scrittura interrotta è completata: la carta contiene il certificato {serial}, valido fino al {date}.',
    },
    extInterrupted: {
      en: 'The certificate write was interrupted: the card holds no usable certificate until it is finished. Put the card back and run "cns extend --resume" (backups in {dir}).',
      it: 'La scrittura del certificato si è interrotta: la carta non ha un certificato utilizzabile finché non viene completata. Reinserisci la carta ed esegui "cns extend --resume" (copie di sicurezza in {dir}).',
    },
    triesVerified: {
      en: '{what}: already verified on the card (another program is logged in); a wrong {what} would still count',
      it: "{what}: già verificato sulla carta (un altro programma ha fatto l'accesso); un {what} errato conterebbe comunque",
    },
    fallbackPkcs11: {
      en: 'PC/SC is not usable here ({detail}): the card is reached through the PKCS#11 module instead, which cannot tell how many PIN and PUK tries are left. {hint}',
      it: 'PC/SC qui non è utilizzabile ({detail}): la carta è raggiunta tramite il modulo PKCS#11, che non sa dire quanti tentativi PIN e PUK restano. {hint}',
    },
    // doctor check messages
    dPcscLib: { en: 'PC/SC library loaded ({lib})', it: 'libreria PC/SC caricata ({lib})' },
    dPcscdOk: { en: 'the smart-card service answers', it: 'il servizio smart card risponde' },
    dNoReader: { en: 'no reader', it: 'nessun lettore' },
    dEmpty: { en: 'empty', it: 'vuoto' },
    dPinpad: { en: 'PIN pad', it: 'tastierino PIN' },
    dNoModule: { en: 'no PKCS#11 module for a CNS is installed', it: 'nessun modulo PKCS#11 per la CNS è installato' },
    dModuleSees: { en: '{module} sees the card (token model "{model}")', it: '{module} vede la carta (modello del token "{model}")' },
    dModuleBlind: {
      en: '{module} does not see a usable card in "{reader}"{extra}',
      it: '{module} non vede una carta utilizzabile in "{reader}"{extra}',
    },
    dNotCns: { en: 'not a TS-CNS ({reason}); ATR to quote: {atr}', it: 'non è una TS-CNS ({reason}); ATR da indicare: {atr}' },
    dAtr: {
      en: '{model}; generation {generation}; CNS {version}; {bits}-bit',
      it: '{model}; generazione {generation}; CNS {version}; {bits} bit',
    },
    dMwInstalled: { en: '{wanted}: {name} installed ({path})', it: '{wanted}: {name} installato ({path})' },
    dMwOwn: {
      en: 'not a Tessera Sanitaria: no TS-CNS middleware is needed; the device works with its own software or OpenSC',
      it: 'non è una Tessera Sanitaria: non serve un middleware TS-CNS; il dispositivo funziona con il proprio software o con OpenSC',
    },
    dSignatureDevice: {
      en: 'a signature device with a CNS application, not a Tessera Sanitaria',
      it: 'un dispositivo di firma con applicazione CNS, non una Tessera Sanitaria',
    },
    dOtherCns: {
      en: 'a card that carries a CNS, not a Tessera Sanitaria',
      it: 'una carta che contiene una CNS, non una Tessera Sanitaria',
    },
    dMwMissing: { en: '{wanted}: not installed', it: '{wanted}: non installato' },
    dCardId: { en: 'card id {id}', it: 'numero della carta {id}' },
    dCardIdBad: { en: 'card id {id} (not a valid card id)', it: 'numero della carta {id} (non valido)' },
    dSecretBlocked: { en: '{what} blocked', it: '{what} bloccato' },
    dOneTry: { en: '{what}: 1 try left', it: '{what}: resta 1 tentativo' },
    dTries: { en: '{what}: {n} {n|try|tries} left', it: '{what}: {n} {n|tentativo rimasto|tentativi rimasti}' },
    dTriesUnknown: { en: '{what} tries unknown', it: 'tentativi {what} sconosciuti' },
    dCertNone: { en: 'no readable certificate', it: 'nessun certificato leggibile' },
    dCertValid: {
      en: 'valid until {date} ({days} {days|day|days} left)',
      it: 'valido fino al {date} ({days|manca|mancano} {days} {days|giorno|giorni})',
    },
    dCertExpiring: {
      en: 'expiring on {date} ({days} {days|day|days} left)',
      it: 'in scadenza il {date} ({days|manca|mancano} {days} {days|giorno|giorni})',
    },
    dCertExpired: { en: 'expired on {date}', it: 'scaduto il {date}' },
    dCertNotYet: { en: 'not valid before {date}', it: 'non valido prima del {date}' },
    dReportWritten: { en: 'Ticket written to {path}', it: 'Rapporto scritto in {path}' },
    dExtYes: { en: 'eligible for the 2023 extension', it: "idonea all'estensione 2023" },
    dExtNo: { en: 'not eligible for the 2023 extension ({codes})', it: "non idonea all'estensione 2023 ({codes})" },
    // problems of a report
    pr_CERT_HALF_WRITTEN: {
      en: 'EF 1101 holds a partly written certificate (an interrupted certificate write: {kind}): run "cns extend --resume" to finish it; backups in {dir}',
      it: 'EF 1101 contiene un certificato scritto in parte (scrittura del certificato interrotta: {kind}): esegui "cns extend --resume" per completarla; copie di sicurezza in {dir}',
    },
    pr_CERT_WRITE_PENDING: {
      en: 'an interrupted certificate write ({kind}) is journaled: run "cns extend --resume"; backups in {dir}',
      it: 'è registrata una scrittura del certificato interrotta ({kind}): esegui "cns extend --resume"; copie di sicurezza in {dir}',
    },
    pr_CERT_WRITE_INCOMPLETE_resume: {
      en: 'EF 1101 holds a certificate write that was interrupted just before its end: run "cns extend --resume" to finish it',
      it: 'EF 1101 contiene una scrittura del certificato interrotta appena prima della fine: esegui "cns extend --resume" per completarla',
    },
    pr_CERT_WRITE_INCOMPLETE_restore: {
      en: 'EF 1101 holds a certificate write that was interrupted: finish it with "cns extend --resume" where it began, or write back the saved certificate with "cns extend --restore FILE"',
      it: 'EF 1101 contiene una scrittura del certificato interrotta: completala con "cns extend --resume" dove è iniziata, o riscrivi il certificato salvato con "cns extend --restore FILE"',
    },
    pr_CERT_SIGNATURE_INVALID: {
      en: 'the certificate on the card is damaged: its signature does not verify with its issuer',
      it: 'il certificato sulla carta è danneggiato: la sua firma non è verificata dal suo emittente',
    },
    pr_PIN_BLOCKED: { en: 'the PIN is blocked: unblock it with the PUK', it: 'il PIN è bloccato: sbloccalo con il PUK' },
    pr_PIN_BLOCKED_pukToo: { en: 'the PIN is blocked, and so is the PUK', it: 'il PIN è bloccato, e anche il PUK' },
    pr_PUK_BLOCKED: { en: '{@pukBlockedLine}', it: '{@pukBlockedLine}' },
    // the blocked PUK in one line, wherever a line says it (status, the menu, the extension check)
    pukBlockedLine: {
      en: 'the PUK is blocked: the card can no longer be unblocked: {@adviceNewCard}',
      it: 'il PUK è bloccato: la carta non può più essere sbloccata: {@adviceNewCard}',
    },
    pr_CERT_EXPIRED: { en: 'the certificate expired on {date}', it: 'il certificato è scaduto il {date}' },
    pr_CERT_NOT_YET_VALID: { en: 'the certificate is not valid before {date}', it: 'il certificato non è valido prima del {date}' },
    pr_CERTIFICATE_UNREADABLE: { en: 'the certificate could not be read: {detail}', it: 'impossibile leggere il certificato: {detail}' },
    pr_CERTIFICATE_UNPARSABLE: {
      en: 'the certificate on the card cannot be decoded: {detail}',
      it: 'il certificato sulla carta non si riesce a decodificare: {detail}',
    },
    pr_EF_ID_CARTA_UNREADABLE: {
      en: 'the card id (EF_ID_Carta) could not be read: {detail}',
      it: 'impossibile leggere il numero della carta (EF_ID_Carta): {detail}',
    },
    pr_EF_DATI_PERSONALI_UNREADABLE: {
      en: 'the holder data (EF_Dati_personali) could not be read: {detail}',
      it: 'impossibile leggere i dati del titolare (EF_Dati_personali): {detail}',
    },
    lKey: { en: 'Key', it: 'Chiave' },
    // guided mode
    gCertValid: { en: 'certificate valid until {date}', it: 'certificato valido fino al {date}' },
    gCertExpiring: {
      en: 'the certificate expires on {date} ({days} {days|day|days} left)',
      it: 'il certificato scade il {date} ({days|manca|mancano} {days} {days|giorno|giorni})',
    },
    gCertExpired: {
      en: 'certificate expired on {date}: the card can no longer be used to log in to online services. {@adviceExpiredCard}',
      it: 'certificato scaduto il {date}: la tessera non si può più usare per accedere ai servizi online. {@adviceExpiredCard}',
    },
    gCertNone: { en: 'no readable certificate on the card', it: 'nessun certificato leggibile sulla carta' },
    gCertDamaged: { en: '{@advCERT_DAMAGED}', it: '{@advCERT_DAMAGED}' },
    gCertNotYet: { en: 'certificate valid only from {date}: {@advClock}', it: 'certificato valido solo dal {date}: {@advClock}' },
    notYetShort: {
      en: "valid from {date}: check this computer's date and time",
      it: 'valido dal {date}: controlla data e ora del computer',
    },
    advClock: {
      en: "check this computer's date and time; if they are right, online services accept the card from that day (the card is not faulty)",
      it: "controlla la data e l'ora di questo computer; se sono giuste, i servizi online accetteranno la carta da quel giorno (la carta non è guasta)",
    },
    gPinBlocked: { en: 'PIN blocked: choose "Unblock the PIN with the PUK"', it: 'PIN bloccato: scegli «Sblocca il PIN con il PUK»' },
    gPukBlocked: {
      en: '{@pukBlockedLine}',
      it: '{@pukBlockedLine}',
    },
    gNoService: {
      en: 'The smart-card service is not running. Start it with: {@cmdStartPcscd} (without systemd: run "pcscd") — checking again (Ctrl-C to leave)...',
      it: 'Il servizio smart card non è attivo. Avvialo con: {@cmdStartPcscd} (senza systemd: esegui "pcscd") — continuo a controllare (Ctrl-C per uscire)...',
    },
    gNoService_win32: {
      en: 'The smart-card service is not running: connect the reader (Windows starts the service with it); if it is connected, start the "Smart Card" service (as administrator: {@cmdStartPcscd}) — checking again (Ctrl-C to leave)...',
      it: 'Il servizio smart card non è attivo: collega il lettore (Windows avvia con esso il servizio); se è collegato, avvia il servizio "Smart Card" (come amministratore: {@cmdStartPcscd}) — continuo a controllare (Ctrl-C per uscire)...',
    },
    gNoService_darwin: {
      en: 'The smart-card service is not running: connect the reader (macOS starts the service with it), or unplug it and plug it back in — checking again (Ctrl-C to leave)...',
      it: 'Il servizio smart card non è attivo: collega il lettore (macOS avvia con esso il servizio), oppure scollegalo e ricollegalo — continuo a controllare (Ctrl-C per uscire)...',
    },
    gNoReader: {
      en: 'No card reader found: connect the reader (Ctrl-C to leave)...',
      it: 'Nessun lettore di smart card trovato: collega il lettore (Ctrl-C per uscire)...',
    },
    gNoFolder: {
      en: 'The folder {dir} does not exist: nothing was saved.',
      it: 'La cartella {dir} non esiste: non è stato salvato nulla.',
    },
    gOverwrite: { en: '{path} exists already: replace it?', it: '{path} esiste già: vuoi sostituirlo?' },
    supportCode: { en: 'code for the help desk: {code}', it: "codice per l'assistenza: {code}" },
    // guided mode: what to do in the menu, not options a menu user cannot type (issue 23 item 2)
    NO_BROWSER_DB_G: { en: '{@brNone_G}', it: '{@brNone_G}' },

    brNone_G: {
      en: 'No browser database found for this user (Firefox, Thunderbird, Chrome/Chromium). Open Firefox or Chrome once (it creates its database), close it, then choose "{@gBrowser}" again.',
      it: 'Nessun database di browser trovato per questo utente (Firefox, Thunderbird, Chrome/Chromium). Apri una volta Firefox o Chrome (così crea il suo database), chiudilo, poi scegli di nuovo «{@gBrowser}».',
    },
    BROWSER_MODULE_MISSING_G: {
      en: '{db}: the card module is not loaded in this browser. Close the browser and choose "{@gBrowser}" again: it offers to register it.',
      it: '{db}: il modulo della carta non è caricato in questo browser. Chiudi il browser e scegli di nuovo «{@gBrowser}»: ti propone di registrarlo.',
    },
    BROWSER_TOKEN_NOT_SEEN_G: {
      en: '{db}: the browser does not see the card through its module. Check that the card is in the reader, then choose "{@gDoctor}".',
      it: '{db}: il browser non vede la carta tramite il suo modulo. Controlla che la carta sia nel lettore, poi scegli «{@gDoctor}».',
    },
    BROWSER_CERT_NOT_SEEN_G: {
      en: '{db}: the browser sees the card but not its certificate. The module may not support this card generation: "{@gDoctor}" names the right middleware.',
      it: '{db}: il browser vede la carta ma non il suo certificato. Il modulo potrebbe non supportare questa generazione di carta: «{@gDoctor}» indica il middleware giusto.',
    },
    advBrowser_G: {
      en: 'Close the browser, then choose "{@gBrowser}": it registers the card module and can try a login.',
      it: 'Chiudi il browser, poi scegli «{@gBrowser}»: registra il modulo della carta e può provare un accesso.',
    },
    advBrowserDuplicate_G: {
      en: "Keep one copy of the card module: remove the others from the browser's security devices settings.",
      it: 'Tieni una sola copia del modulo della carta: togli le altre dalle impostazioni dei dispositivi di sicurezza del browser.',
    },
    brDuplicate_G: {
      en: "the card module is loaded more than once ({names}): the PIN prompt breaks; keep one (the others go from the browser's security devices settings)",
      it: 'il modulo della carta è caricato più volte ({names}): la richiesta del PIN non funziona; tienine uno (gli altri si tolgono dalle impostazioni dei dispositivi di sicurezza del browser)',
    },
    brAdviseSetup_G: {
      en: 'To register the card module, close the browsers and answer yes below.',
      it: 'Per registrare il modulo della carta chiudi i browser e rispondi sì qui sotto.',
    },
    brSkip_cannot_G: {
      en: 'cannot be set up (see above)',
      it: 'non si può configurare (vedi sopra)',
    },
    brSkip_duplicate_G: {
      en: 'the module is already there more than once: not changed (see above)',
      it: 'il modulo è già presente più volte: non modificato (vedi sopra)',
    },
    'brSkip_wrong-path_G': {
      en: 'a module added by someone else points to a library that is not there: not changed (see above)',
      it: 'un modulo aggiunto da altri punta a una libreria che non esiste: non modificato (vedi sopra)',
    },
    brCloseFirst_G: {
      en: 'Close the browser first, then choose "{@gBrowser}" again.',
      it: 'Chiudi prima il browser, poi scegli di nuovo «{@gBrowser}».',
    },
    brSetupDone_G: {
      en: 'Done. Open the browser with the card in the reader.',
      it: 'Fatto. Apri il browser con la carta nel lettore.',
    },
    brSimInProcess_G: {
      en: 'the virtual card lives inside cns, where no browser sees it: the login test needs a real card in a reader',
      it: 'la carta virtuale vive dentro cns, dove nessun browser la vede: la prova di accesso richiede una carta vera in un lettore',
    },
    WEAK_PIN_G: {
      en: 'The new PIN is easy to guess: {why}. Nothing was sent to the card. Choose another.',
      it: 'Il nuovo PIN è facile da indovinare: {why}. Nulla è stato inviato alla carta. Scegline un altro.',
    },
    PIN_INCORRECT_UNKNOWN_G: {
      en: 'Wrong PIN. The card counted it; how many tries are left is not known here: see the tries above the menu before trying again.',
      it: 'PIN errato. La carta lo ha contato; quanti tentativi restano qui non si sa: guarda i tentativi sopra il menu prima di riprovare.',
    },
    PKCS11_MODULE_ERROR_G: {
      en: 'The PKCS#11 module failed: {detail}. The card was not changed by cns. Choose "{@gDoctor}", or reinstall the middleware.',
      it: 'Il modulo PKCS#11 ha avuto un errore: {detail}. cns non ha modificato la carta. Scegli «{@gDoctor}», o reinstalla il middleware.',
    },
    PKCS11_NOT_SUPPORTED_G: {
      en: '{detail}. This needs the smart-card service (PC/SC): choose "{@gDoctor}" to see why it is not used.',
      it: '{detail}. Serve il servizio smart card (PC/SC): scegli «{@gDoctor}» per vedere perché non è usato.',
    },
    CARD_NOT_ANSWERING_SECRET_G: {
      en: 'The card stopped answering during a {what} operation ({detail}): its outcome is unknown. Take the card out and put it back: the tries left are shown above the menu.',
      it: "La carta ha smesso di rispondere durante un'operazione sul {what} ({detail}): l'esito è sconosciuto. Estrai la carta e reinseriscila: i tentativi rimasti sono indicati sopra il menu.",
    },
    CARD_BAD_ANSWER_SECRET_G: {
      en: 'The card answered incorrectly during a {what} operation ({detail}): its outcome is unknown. Take the card out and put it back: the tries left are shown above the menu.',
      it: "La carta ha risposto in modo errato durante un'operazione sul {what} ({detail}): l'esito è sconosciuto. Estrai la carta e reinseriscila: i tentativi rimasti sono indicati sopra il menu.",
    },
    advCARD_BUSY_G: {
      en: 'Close the programs that may use the card (a browser, signing software, another cns) and choose "{@gDoctor}" again; if none is open, take the card out and put it back.',
      it: "Chiudi i programmi che possono usare la carta (un browser, un software di firma, un altro cns) e scegli di nuovo «{@gDoctor}»; se non ce n'è nessuno aperto, estrai la carta e reinseriscila.",
    },
    advCARD_NOT_ANSWERING_G: {
      en: 'Take the card out, put it back and choose "{@gDoctor}" again. If it still does not answer, try it in another reader: if it works there, the first reader is at fault; if not, report it quoting the ATR.',
      it: "Estrai la carta, reinseriscila e scegli di nuovo «{@gDoctor}». Se ancora non risponde, provala in un altro lettore: se lì funziona, il problema è il primo lettore; se no, segnalala indicando l'ATR.",
    },
    advCERT_WRITE_G: {
      en: 'A certificate write on this card was interrupted: it is finished from the command line (cns extend --resume); ask whoever helps you with the card.',
      it: 'Una scrittura del certificato su questa carta si è interrotta: si completa dalla riga di comando (cns extend --resume); chiedi a chi ti assiste con la carta.',
    },
    EXTENSION_PENDING_G: {
      en: 'An interrupted certificate write is pending for this card: it is finished from the command line (cns extend --resume; backups in {dir}); ask whoever helps you with the card.',
      it: "Per questa carta c'è una scrittura del certificato interrotta: si completa dalla riga di comando (cns extend --resume; copie in {dir}); chiedi a chi ti assiste con la carta.",
    },
    pr_CERT_HALF_WRITTEN_G: {
      en: 'EF 1101 holds a partly written certificate (an interrupted certificate write: {kind}): it is finished from the command line (cns extend --resume; backups in {dir}); ask whoever helps you with the card',
      it: 'EF 1101 contiene un certificato scritto in parte (scrittura del certificato interrotta: {kind}): si completa dalla riga di comando (cns extend --resume; copie in {dir}); chiedi a chi ti assiste con la carta',
    },
    pr_CERT_WRITE_PENDING_G: {
      en: 'an interrupted certificate write ({kind}) is journaled: it is finished from the command line (cns extend --resume; backups in {dir}); ask whoever helps you with the card',
      it: 'è registrata una scrittura del certificato interrotta ({kind}): si completa dalla riga di comando (cns extend --resume; copie in {dir}); chiedi a chi ti assiste con la carta',
    },
    pr_CERT_WRITE_INCOMPLETE_resume_G: {
      en: 'EF 1101 holds a certificate write that was interrupted just before its end: it is finished from the command line (cns extend --resume); ask whoever helps you with the card',
      it: 'EF 1101 contiene una scrittura del certificato interrotta appena prima della fine: si completa dalla riga di comando (cns extend --resume); chiedi a chi ti assiste con la carta',
    },
    pr_CERT_WRITE_INCOMPLETE_restore_G: {
      en: 'EF 1101 holds a certificate write that was interrupted: it is finished from the command line, where it began (cns extend --resume or --restore); ask whoever helps you with the card',
      it: 'EF 1101 contiene una scrittura del certificato interrotta: si completa dalla riga di comando, dove è iniziata (cns extend --resume o --restore); chiedi a chi ti assiste con la carta',
    },
    noPkcs11Module_G: {
      en: 'no PKCS#11 module found (OpenSC, bit4id xPKI, Athena IDProtect): install one ({@cmdInstallOpensc})',
      it: 'nessun modulo PKCS#11 trovato (OpenSC, bit4id xPKI, Athena IDProtect): installane uno ({@cmdInstallOpensc})',
    },
    NO_READER_G: {
      en: 'No smart-card reader found. Connect a reader.',
      it: 'Nessun lettore di smart card trovato. Collega un lettore.',
    },
    pcscStart_G: {
      en: 'Start the smart-card service: "{@cmdStartPcscd}" (without systemd: run "pcscd"), then choose "{@gDoctor}" again.',
      it: 'Avvia il servizio smart card: "{@cmdStartPcscd}" (senza systemd: esegui "pcscd"), poi scegli di nuovo «{@gDoctor}».',
    },
    pcscStart_G_win32: {
      en: 'Connect the smart-card reader (Windows starts its smart-card service with it); if it is connected, start the "Smart Card" service (in Services, or as administrator: "{@cmdStartPcscd}"), then choose "{@gDoctor}" again.',
      it: 'Collega il lettore di smart card (Windows avvia con esso il servizio smart card); se è collegato, avvia il servizio "Smart Card" (da Servizi, o come amministratore: "{@cmdStartPcscd}"), poi scegli di nuovo «{@gDoctor}».',
    },
    pcscStart_G_darwin: {
      en: 'Connect the smart-card reader (macOS starts its smart-card service with it); if it is connected, unplug it and plug it back in, then choose "{@gDoctor}" again.',
      it: 'Collega il lettore di smart card (macOS avvia con esso il servizio smart card); se è collegato, scollegalo e ricollegalo, poi scegli di nuovo «{@gDoctor}».',
    },
    readerMaybe_G: {
      en: 'maybe a TS-CNS: the ATR does not say (its files are read to tell)',
      it: "forse una TS-CNS: l'ATR non lo dice (se ne leggono i file per saperlo)",
    },
    pcscInstall_G: {
      en: 'PC/SC is not installed: install the smart-card service ("sudo apt-get install pcscd"; on Fedora "pcsc-lite"), then start cns again.',
      it: 'PC/SC non è installato: installa il servizio smart card ("sudo apt-get install pcscd"; su Fedora "pcsc-lite"), poi riavvia cns.',
    },
    pcscInstall_G_win32: {
      en: 'The smart-card library of Windows cannot be used by cns: its installation is incomplete. Reinstall cns, then start it again.',
      it: 'La libreria smart card di Windows non è utilizzabile da cns: la sua installazione è incompleta. Reinstalla cns, poi avvialo di nuovo.',
    },
    pcscInstall_G_darwin: {
      en: 'The smart-card framework of macOS cannot be used by cns: its installation is incomplete. Reinstall cns, then start it again.',
      it: 'Il framework smart card di macOS non è utilizzabile da cns: la sua installazione è incompleta. Reinstalla cns, poi avvialo di nuovo.',
    },
    PIN_BLOCKED_G: {
      en: 'The PIN is blocked. Choose "Unblock the PIN with the PUK" in the menu.',
      it: 'Il PIN è bloccato. Scegli «Sblocca il PIN con il PUK» nel menu.',
    },
    PIN_BLOCKED_NOW_G: {
      en: 'Wrong PIN: that was the last try and the PIN is now blocked. Choose "Unblock the PIN with the PUK" in the menu.',
      it: "PIN errato: era l'ultimo tentativo e ora il PIN è bloccato. Scegli «Sblocca il PIN con il PUK» nel menu.",
    },
    CARD_REMOVED_SECRET_G: {
      en: 'The card was removed during a {what} operation: its outcome is unknown. Put the card back: the tries left are shown above the menu.',
      it: "La carta è stata rimossa durante un'operazione sul {what}: l'esito è sconosciuto. Reinserisci la carta: i tentativi rimasti sono indicati sopra il menu.",
    },
    advPIN_BLOCKED_G: { en: 'Choose "Unblock the PIN with the PUK" in the menu.', it: 'Scegli «Sblocca il PIN con il PUK» nel menu.' },
    LAST_ATTEMPT_REFUSED_G: {
      en: 'Only one {what} try is left and it was not confirmed: nothing was sent to the card.',
      it: 'Resta un solo tentativo per il {what} e non è stato confermato: nulla è stato inviato alla carta.',
    },
    // secrets given with --stdin / --env
    secStdinEnv: { en: '--stdin and --env cannot be used together', it: '--stdin e --env non si possono usare insieme' },
    secStdinTty: {
      en: '--stdin expects the codes piped in, one per line, not typed at the terminal',
      it: '--stdin si aspetta i codici in ingresso da un altro programma, uno per riga, non scritti al terminale',
    },
    secStdinLines: {
      en: '--stdin expects {n} {n|line|lines}: {names}; got {got}',
      it: '--stdin si aspetta {n} {n|riga|righe}: {names}; ricevute: {got}',
    },
    secEnvMissing: { en: '--env: the variable {name} is not set', it: '--env: la variabile {name} non è impostata' },
    secPin: { en: 'PIN', it: 'PIN' },
    secCurrentPin: { en: 'current PIN', it: 'PIN attuale' },
    secNewPin: { en: 'new PIN', it: 'nuovo PIN' },
    secPuk: { en: 'PUK', it: 'PUK' },
    // command-line mistakes (commander's own messages, in the user's language)
    cmdUnknown: { en: 'unknown command "{cmd}"{near}; see cns --help', it: 'comando sconosciuto "{cmd}"{near}; vedi cns --help' },
    cmdSplit: {
      en: 'unknown command "{cmd}": write its words apart, without quotes: cns {words}',
      it: 'comando sconosciuto "{cmd}": scrivi le parole separate, senza virgolette: cns {words}',
    },
    cmdNear: { en: ' (did you mean {names}?)', it: ' (forse intendevi {names}?)' },
    cmdUnknownOption: { en: 'unknown option {option}{near}; see cns --help', it: 'opzione sconosciuta {option}{near}; vedi cns --help' },
    cmdTooMany: {
      en: 'too many arguments for {command}; see cns {command} --help',
      it: 'troppi argomenti per {command}; vedi cns {command} --help',
    },
    cmdNeeded: { en: 'a command is needed (see cns --help)', it: 'serve un comando (vedi cns --help)' },
    cmdNeedsSub: { en: '"cns {group}" needs one of its commands: {names}', it: '"cns {group}" richiede uno dei suoi comandi: {names}' },
    cmdMissingArg: { en: 'missing argument {arg}', it: "manca l'argomento {arg}" },
    cmdOptionArg: { en: 'the option {option} needs a value', it: "l'opzione {option} richiede un valore" },
    cmdInvalidChoice: {
      en: '{option}: "{value}" is not allowed (allowed: {choices})',
      it: '{option}: "{value}" non è un valore ammesso (valori ammessi: {choices})',
    },
    // virtual card images
    IMAGE_INVALID: {
      en: '{path} is not a usable virtual card image: {why}.',
      it: "{path} non è un'immagine di carta virtuale utilizzabile: {why}.",
    },
    imgMissing: { en: 'no card image at {path}', it: 'nessuna immagine di carta in {path}' },
    imgBusy: { en: 'the virtual card is in use by another program', it: 'la carta virtuale è in uso da un altro programma' },
    imgAttached: {
      en: 'this card image is in a virtual reader (cns sim attach): use that reader',
      it: "quest'immagine di carta è in un lettore virtuale (cns sim attach): usa quel lettore",
    },
    imgNotFile: { en: 'it is not a regular file (a folder?)', it: 'non è un file normale (una cartella?)' },
    imgNotJson: { en: 'its content is damaged (not JSON)', it: 'il contenuto è danneggiato (non è JSON)' },
    imgNotImage: { en: 'it is not a card image made by cns', it: "non è un'immagine di carta creata da cns" },
    imgVersion: { en: 'it was made by another version of cns', it: "è stata creata da un'altra versione di cns" },
    imgField: { en: 'its part {field} is damaged', it: 'la sua parte {field} è danneggiata' },
    imgReadOnly: {
      en: 'it is read-only, so the card cannot record anything',
      it: 'è di sola lettura, quindi la carta non può registrare nulla',
    },
    brRootOtherHome: {
      en: "this is root changing the browsers of another user's home ({home}): every file written there would become root's and the browser would lose its modules. Run it as that user, without sudo",
      it: "root sta modificando i browser della home di un altro utente ({home}): ogni file scritto lì diventerebbe di root e il browser perderebbe i suoi moduli. Eseguilo come quell'utente, senza sudo",
    },
    brUnsafe_symlink: {
      en: '{file} is a symbolic link, which NSS would write through: left alone (remove the link, then run setup again)',
      it: '{file} è un collegamento simbolico, attraverso il quale NSS scriverebbe: non toccato (rimuovi il collegamento, poi riesegui setup)',
    },
    'brUnsafe_not-file': {
      en: '{file} is not a regular file: left alone',
      it: '{file} non è un file normale: non toccato',
    },
    'brUnsafe_other-user': {
      en: "{file} belongs to another user: run this command as that user, not as root (as root, the browser's files would become root's and the browser would lose its modules)",
      it: "{file} appartiene a un altro utente: esegui il comando come quell'utente, non come root (da root i file del browser diventerebbero di root e il browser perderebbe i suoi moduli)",
    },
    imgSymlink: {
      en: 'it is a symbolic link that cns did not create, and nothing is written through one: remove it',
      it: 'è un collegamento simbolico che cns non ha creato, e attraverso un collegamento non si scrive nulla: rimuovilo',
    },
    imgIo: { en: 'it cannot be read or written ({detail})', it: 'non si può leggere o scrivere ({detail})' },
    lastAttemptWarning: {
      en: 'WARNING: this is the last {what} try. A wrong {what} now blocks it.',
      it: "ATTENZIONE: è l'ultimo tentativo per il {what}. Un {what} errato ora lo blocca.",
    },
    unknownTriesWarning: {
      en: 'WARNING: the {what} counter cannot be read here; this may be the last try, and a wrong {what} may block it.',
      it: "ATTENZIONE: il contatore del {what} qui non è leggibile; potrebbe essere l'ultimo tentativo, e un {what} errato potrebbe bloccarlo.",
    },
    lastAttemptConfirm: { en: 'Type CONFIRM to use the last try', it: "Scrivi CONFERMO per usare l'ultimo tentativo" },
    lastAttemptWord: { en: 'CONFIRM', it: 'CONFERMO' },
    promptPin: { en: 'PIN', it: 'PIN' },
    promptCurrentPin: { en: 'Current PIN', it: 'PIN attuale' },
    promptNewPin: { en: 'New PIN (5-8 digits)', it: 'Nuovo PIN (5-8 cifre)' },
    promptNewPinAgain: { en: 'New PIN again', it: 'Ripeti il nuovo PIN' },
    promptPuk: { en: 'PUK (8 digits)', it: 'PUK (8 cifre)' },
    samePin: { en: 'the new PIN is the same as the current one', it: 'il nuovo PIN è uguale a quello attuale' },
    pinChanged: { en: 'PIN changed.', it: 'PIN cambiato.' },
    pinUnblocked: { en: 'PIN unblocked and set to the new value.', it: 'PIN sbloccato e impostato al nuovo valore.' },
    signatureOk: {
      en: 'Test signature made by the card and verified with its certificate.',
      it: 'Firma di prova eseguita dalla carta e verificata con il suo certificato.',
    },
    pinNotBlockedNote: {
      en: 'Note: the PIN is not blocked; the unblock also sets a new PIN.',
      it: 'Nota: il PIN non è bloccato; lo sblocco imposta comunque un nuovo PIN.',
    },
    pinExplain: {
      en: "The PIN (5-8 digits) protects the card's authentication key. The PUK (8 digits) unblocks it after 3 wrong PINs. Both are issued by your region's offices.",
      it: 'Il PIN (5-8 cifre) protegge la chiave di autenticazione della carta. Il PUK (8 cifre) lo sblocca dopo 3 PIN errati. Entrambi sono rilasciati dagli uffici della tua Regione.',
    },
    extPlan: {
      en: 'The certificate (serial {serial}, expiring {old}) will be renewed until 31/12/2023 23:59:59 by {service}, then written to the card with the PUK. Backups go to {dir}.',
      it: 'Il certificato (seriale {serial}, scadenza {old}) sarà rinnovato fino al 31/12/2023 23:59:59 da {service}, poi scritto sulla carta con il PUK. Le copie vanno in {dir}.',
    },
    extConfirm: { en: 'Extend the card now?', it: 'Estendere la carta ora?' },
    restoreConfirm: { en: 'Write the saved certificate back to the card now?', it: 'Riscrivere ora sulla carta il certificato salvato?' },
    restoreWriting: {
      en: 'Writing the saved certificate back: {done}/{total} bytes',
      it: 'Riscrittura del certificato salvato: {done}/{total} byte',
    },
    extContacting: {
      en: 'Contacting the extension service ({url}), attempt {n}...',
      it: 'Contatto il servizio di estensione ({url}), tentativo {n}...',
    },
    extWriting: { en: 'Writing the new certificate: {done}/{total} bytes', it: 'Scrittura del nuovo certificato: {done}/{total} byte' },
    extDone: {
      en: 'Extended: the certificate expired {old}, now {new} (31/12/2023 23:59:59 Europe/Rome). Backup of the old one: {backup}',
      it: 'Estesa: il certificato scadeva il {old}, ora il {new} (31/12/2023 23:59:59 ora italiana). Copia del precedente: {backup}',
    },
    extRestored: { en: 'Certificate {serial} written back to the card.', it: 'Certificato {serial} riscritto sulla carta.' },
    extAlreadyDone: {
      en: 'The card already holds the new certificate: nothing left to write.',
      it: 'La carta contiene già il nuovo certificato: nulla da scrivere.',
    },
    simSummary: { en: 'card id {id}, certificate valid {from} → {to}', it: 'numero carta {id}, certificato valido {from} → {to}' },
    simCreated: { en: 'Virtual card written to {path}', it: 'Carta virtuale scritta in {path}' },
    certWritten: { en: 'Certificate written to {path}', it: 'Certificato scritto in {path}' },
    yesChoice: { en: 'Yes', it: 'Sì' },
    uIsFolder: {
      en: '{path} is a folder: give the name of a file in it',
      it: '{path} è una cartella: indica il nome di un file al suo interno',
    },
    yesNoHint: { en: 'Answer y (yes) or n (no)', it: 'Rispondi s (sì) o n (no)' },
    noTtyConfirm: { en: 'no terminal to confirm on: add --yes', it: 'nessun terminale su cui confermare: aggiungi --yes' },
    noChoice: { en: 'No', it: 'No' },
  }) satisfies Record<string, Msg>;

type Catalogue = ReturnType<typeof cardMessages> &
  ReturnType<typeof helpMessages> &
  ReturnType<typeof deviceMessages> &
  ReturnType<typeof browserMessages> &
  ReturnType<typeof doctorMessages> &
  ReturnType<typeof ownMessages>;

// The tables are looked up in turn, not merged: a merged object of ~1000 entries cost every start
// its copy (~100 KB, a young-generation collection sooner; issue 27). A key in two tables is the
// later one's, as when they were merged in the order HELP, DEVICE, BROWSER, DOCTOR, OWN, CARD (a
// test keeps CARD's keys out of the others). A table is built when a look-up first reaches it: a
// command whose texts are all in CARD builds no other (~0.35 ms of module initialisation at every
// start, issue 27).
const TABLES: readonly (() => Record<string, Msg>)[] = [
  cardMessages,
  ownMessages,
  doctorMessages,
  browserMessages,
  deviceMessages,
  helpMessages,
];
const built: Record<string, Msg>[] = [];

function table(i: number): Record<string, Msg> {
  built[i] ??= TABLES[i]!();
  return built[i];
}

function find(key: string): Msg | undefined {
  for (let i = 0; i < TABLES.length; i++) {
    const t = table(i);
    if (Object.hasOwn(t, key)) return t[key];
  }
  return undefined;
}

export type MessageKey = keyof Catalogue;

/** A key built at run time (a rule, a check, a problem), if the catalogue has it. */
export function messageKey(k: string): MessageKey | undefined {
  return find(k) ? (k as MessageKey) : undefined;
}

const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** An Italian calendar day (YYYY-MM-DD) as people read it: 31/05/2024, or 31 May 2024. */
export function humanDay(lang: Lang, isoDay: string): string {
  if (!isIsoDay(isoDay)) return isoDay;
  const [y, m, d] = [isoDay.slice(0, 4), isoDay.slice(5, 7), isoDay.slice(8)];
  return lang === 'it' ? `${d}/${m}/${y}` : `${Number(d)} ${MONTHS_EN[Number(m) - 1]} ${y}`;
}

/** The keys of each table, in the order they are looked up: for the tests. */
export function catalogueTables(): string[][] {
  return TABLES.map((_, i) => Object.keys(table(i)));
}

/** Every entry of the catalogue, as written (with its {@key} references): for the tests. */
export function catalogueEntries(): Array<[MessageKey, Record<Lang, string>]> {
  const merged: Record<string, Msg> = Object.assign({}, ...TABLES.map((_, i) => table(i)).reverse());
  return Object.entries(merged).map(([k, v]) => [k as MessageKey, v]);
}

/** The system whose remedies the messages give (tests set another). */
let platformNow: string = process.platform;

/** Remedies for another system's users (tests; `doctor` explaining another machine). */
export function setMessagePlatform(platform: string): void {
  platformNow = platform;
}

/** The systems with remedies of their own: an entry KEY_win32 or KEY_darwin replaces KEY there. */
export const PLATFORM_VARIANTS = ['win32', 'darwin'] as const;

/**
 * The keys that have a wording of their own on Windows or macOS (KEY_win32, KEY_darwin) or in
 * guided mode (KEY_G): only these are asked for it. Asking every key would miss in the first table
 * and build all five, the one cost the lazy tables save (~0.7 ms of every command there; issue 27).
 * test/platform-messages.test.ts checks these lists against the catalogue.
 */
export const VARIANT_KEYS: Readonly<Record<'win32' | 'darwin' | 'G', ReadonlySet<string>>> = {
  win32: new Set([
    'BROWSER_TEST_UNAVAILABLE',
    'NSS_TOOLS_MISSING',
    'PCSC_UNAVAILABLE',
    'brCannot_not-installed',
    'brNoModule',
    'brNone',
    'brNone_G',
    'brNssTools',
    'brSetupDone',
    'cmdInstallOpensc',
    'cmdStartPcscd',
    'gNoService',
    'pcscInstall',
    'pcscInstall_G',
    'pcscRestart',
    'pcscStart',
    'pcscStart_G',
    'pcscStuck',
  ]),
  darwin: new Set([
    'NSS_TOOLS_MISSING',
    'PCSC_UNAVAILABLE',
    'brCannot_not-installed',
    'brNoModule',
    'brNssTools',
    'cmdInstallOpensc',
    'cmdStartPcscd',
    'gNoService',
    'pcscInstall',
    'pcscInstall_G',
    'pcscRestart',
    'pcscStart',
    'pcscStart_G',
    'pcscStuck',
  ]),
  G: new Set([
    'BROWSER_CERT_NOT_SEEN',
    'BROWSER_MODULE_MISSING',
    'BROWSER_TOKEN_NOT_SEEN',
    'CARD_BAD_ANSWER_SECRET',
    'CARD_NOT_ANSWERING_SECRET',
    'CARD_REMOVED_SECRET',
    'EXTENSION_PENDING',
    'LAST_ATTEMPT_REFUSED',
    'NO_BROWSER_DB',
    'NO_READER',
    'PIN_BLOCKED',
    'PIN_BLOCKED_NOW',
    'PIN_INCORRECT_UNKNOWN',
    'PKCS11_MODULE_ERROR',
    'PKCS11_NOT_SUPPORTED',
    'WEAK_PIN',
    'advBrowser',
    'advBrowserDuplicate',
    'advCARD_BUSY',
    'advCARD_NOT_ANSWERING',
    'advCERT_WRITE',
    'advPIN_BLOCKED',
    'brAdviseSetup',
    'brCloseFirst',
    'brDuplicate',
    'brNone',
    'brSetupDone',
    'brSimInProcess',
    'brSkip_cannot',
    'brSkip_duplicate',
    'brSkip_wrong-path',
    'noPkcs11Module',
    'pcscInstall',
    'pcscStart',
    'pinpadLeft',
    'pr_CERT_HALF_WRITTEN',
    'pr_CERT_WRITE_INCOMPLETE_restore',
    'pr_CERT_WRITE_INCOMPLETE_resume',
    'pr_CERT_WRITE_PENDING',
    'pr_PKCS11_FLAGS_UNRELIABLE',
    'readerMaybe',
  ]),
};

function entry(key: string): Msg {
  if ((platformNow === 'win32' || platformNow === 'darwin') && VARIANT_KEYS[platformNow].has(key)) {
    const own = find(`${key}_${platformNow}`);
    if (own) return own;
  }
  return find(key) as Msg;
}

export function message(lang: Lang, key: MessageKey, params: Record<string, string | number | null | undefined> = {}): string {
  // {@key}: another entry's text, so that one piece of advice has one wording everywhere
  // {@key} may refer to an entry that refers to another: expanded a few levels deep
  // KEY_win32 / KEY_darwin: the same advice for that system (its service, its installer)
  return fillTemplate(entry(key)[lang], params, (k) => entry(k)[lang]);
}

/** A catalogue text with its placeholders filled; `ref` gives the text a {@key} stands for. */
export function fillTemplate(
  text: string,
  params: Record<string, string | number | null | undefined>,
  ref: (key: string) => string,
): string {
  let tpl = text;
  for (let depth = 0; depth < 4 && tpl.includes('{@'); depth++) tpl = fill(tpl, '@', ref);
  if (!tpl.includes('{')) return tpl;
  // {n|one|other}: the word that agrees with the number n ("1 tentativo", "2 tentativi")
  tpl = fill(tpl, '|', (k, one, other) => (Number(params[k]) === 1 ? one : other));
  return fill(tpl, '', (k) => {
    const v = params[k];
    return v === undefined || v === null ? '' : String(v);
  });
}

/**
 * `tpl` with each placeholder of one form replaced by `f`: {@key} ('@'), {name|one|other} ('|',
 * the two words free of | { }) or {name} (''), the name a run of letters, digits and _. Written
 * out, not three regular expressions: a command compiled them at its first text, ~0.1 ms (issue
 * 27; util/text.ts). test/no-regexp.test.ts holds it to the regular expressions, entry by entry.
 */
function fill(tpl: string, form: '@' | '|' | '', f: (name: string, one: string, other: string) => string): string {
  let out = '';
  let i = 0;
  while (i < tpl.length) {
    const open = tpl.indexOf(form === '@' ? '{@' : '{', i);
    if (open === -1) break;
    out += tpl.slice(i, open);
    let j = open + 1 + form.length - (form === '|' ? 1 : 0);
    const nameAt = j;
    while (isWordChar(tpl[j])) j++;
    const name = tpl.slice(nameAt, j);
    let one = '';
    let other = '';
    let ok = name.length > 0;
    if (ok && form === '|') {
      const word = (): string | undefined => {
        if (tpl[j] !== '|') return undefined;
        const at = ++j;
        while (j < tpl.length && tpl[j] !== '|' && tpl[j] !== '{' && tpl[j] !== '}') j++;
        return tpl.slice(at, j);
      };
      const a = word();
      const b = a === undefined ? undefined : word();
      ok = b !== undefined;
      one = a ?? '';
      other = b ?? '';
    }
    if (ok && tpl[j] === '}') {
      out += f(name, one, other);
      i = j + 1;
    } else {
      out += tpl[open]!;
      i = open + 1;
    }
  }
  return out + tpl.slice(i);
}
