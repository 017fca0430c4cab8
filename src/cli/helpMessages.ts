/**
 * The texts of `cns --help` and of every command's help, in both languages. Part of the one
 * message catalogue (spread into it by i18n.ts); kept in its own file for size only.
 */
/** Built on first use: a command that needs none of these entries does not create them (issue 27). */
export const helpMessages = () =>
  ({
    h_program: {
      en: 'Manage an Italian TS-CNS (Tessera Sanitaria - Carta Nazionale dei Servizi) smart card.',
      it: 'Gestione della Tessera Sanitaria - Carta Nazionale dei Servizi (TS-CNS).',
    },
    h_usage: { en: 'Usage:', it: 'Uso:' },
    // placeholders of option values and arguments in the help (<image>, --reader <reader>)
    ph_reader: { en: 'reader', it: 'lettore' },
    ph_lang: { en: 'lang', it: 'lingua' },
    ph_path: { en: 'path', it: 'percorso' },
    ph_date: { en: 'date', it: 'data' },
    ph_image: { en: 'image', it: 'immagine' },
    ph_format: { en: 'format', it: 'formato' },
    ph_salt: { en: 'salt', it: 'sale' },
    ph_text: { en: 'text', it: 'testo' },
    ph_digits: { en: 'digits', it: 'cifre' },
    ph_bits: { en: 'bits', it: 'bit' },
    ph_port: { en: 'port', it: 'porta' },
    ph_host_port: { en: 'host:port', it: 'host:porta' },
    ph_backup: { en: 'backup', it: 'copia' },
    ph_options: { en: 'options', it: 'opzioni' },
    ph_command: { en: 'command', it: 'comando' },
    ph_seconds: { en: 'seconds', it: 'secondi' },
    ph_backend: { en: 'backend', it: 'backend' },
    ph_cf: { en: 'cf', it: 'codice-fiscale' },
    ph_file: { en: 'file', it: 'file' },
    ph_hex: { en: 'hex', it: 'esadecimale' },
    ph_host: { en: 'host', it: 'host' },
    ph_layout: { en: 'layout', it: 'struttura' },
    ph_ms: { en: 'ms', it: 'ms' },
    ph_n: { en: 'n', it: 'n' },
    ph_name: { en: 'name', it: 'nome' },
    ph_number: { en: 'number', it: 'numero' },
    ph_pem: { en: 'pem', it: 'pem' },
    ph_shell: { en: 'shell', it: 'shell' },
    ph_url: { en: 'url', it: 'url' },
    ph_bps: { en: 'bps', it: 'bps' },
    ph_browser: { en: 'browser', it: 'browser' },
    h_arguments: { en: 'Arguments:', it: 'Argomenti:' },
    h_options: { en: 'Options:', it: 'Opzioni:' },
    h_globalOptions: { en: 'Global Options:', it: 'Opzioni generali:' },
    h_commands: { en: 'Commands:', it: 'Comandi:' },
    // the manual page's own headings and words (scripts/man.mjs)
    man_name: { en: 'NAME', it: 'NOME' },
    man_synopsis: { en: 'SYNOPSIS', it: 'SINTASSI' },
    man_description: { en: 'DESCRIPTION', it: 'DESCRIZIONE' },
    man_options: { en: 'GLOBAL OPTIONS', it: 'OPZIONI GENERALI' },
    man_commands: { en: 'COMMANDS', it: 'COMANDI' },
    man_readers: { en: 'READERS', it: 'LETTORI' },
    man_secrets: { en: 'PIN AND PUK', it: 'PIN E PUK' },
    man_exit: { en: 'EXIT STATUS', it: 'CODICI DI USCITA' },
    man_files: { en: 'FILES', it: 'FILE' },
    man_seeAlso: { en: 'SEE ALSO', it: 'VEDERE ANCHE' },
    man_section: { en: 'User Commands', it: 'Comandi utente' },
    man_usage: { en: 'options', it: 'opzioni' },
    man_command: { en: 'command', it: 'comando' },
    man_guided: {
      en: 'Without a command, on a terminal, cns opens a guided menu: it waits for the card, shows the holder, the expiry and the PIN tries, and offers every action below. Every text follows the locale (Italian for an Italian locale) or --lang.',
      it: 'Senza un comando, su un terminale, cns apre un menu guidato: aspetta la carta, mostra titolare, scadenza e tentativi del PIN, e propone ogni azione qui sotto. Ogni testo segue la lingua del sistema (italiano con una lingua italiana) o --lang.',
    },
    man_state: {
      en: 'the demo virtual card, the salt of doctor reports, the backups and journals of certificate writes, the memory of cards that stopped answering ($XDG_STATE_HOME/cns when set; on Windows %LOCALAPPDATA%\\cns, on macOS ~/Library/Application Support/cns)',
      it: 'la carta virtuale dimostrativa, il sale dei rapporti di doctor, le copie e i registri delle scritture del certificato, la memoria delle carte che hanno smesso di rispondere ($XDG_STATE_HOME/cns se impostato; su Windows %LOCALAPPDATA%\\cns, su macOS ~/Library/Application Support/cns)',
    },
    h_default: { en: 'default', it: 'predefinito' },
    h_choices: { en: 'choices', it: 'valori' },
    h_help: { en: 'show this help', it: 'mostra questo aiuto' },
    h_helpCommand: { en: 'show the help of a command', it: "mostra l'aiuto di un comando" },
    h_version: { en: 'print the version', it: 'stampa la versione' },
    h_reader: { en: 'reader: name, part of it, number, sim, sim:IMAGE', it: 'lettore: nome, parte del nome, numero, sim, sim:IMMAGINE' },
    h_json: { en: 'one JSON document on stdout (schemaVersion 1)', it: 'un documento JSON sullo standard output (schemaVersion 1)' },
    h_lang: {
      en: 'language of messages (default from LC_ALL/LC_MESSAGES/LANG)',
      it: 'lingua dei messaggi (predefinita da LC_ALL/LC_MESSAGES/LANG)',
    },
    h_trace: {
      en: 'print every APDU to stderr (PIN and PUK data redacted)',
      it: 'stampa ogni APDU su stderr (PIN e PUK oscurati)',
    },
    h_backend: {
      en: 'pcsc (raw APDUs) or pkcs11 (through a middleware); default: pcsc, else pkcs11',
      it: 'pcsc (APDU dirette) o pkcs11 (tramite un middleware); predefinito: pcsc, altrimenti pkcs11',
    },
    h_module: {
      en: 'PKCS#11 module to use (implies --backend pkcs11); default: OpenSC, bit4id xPKI or Athena if installed',
      it: 'modulo PKCS#11 da usare (implica --backend pkcs11); predefinito: OpenSC, bit4id xPKI o Athena se installati',
    },
    h_noColor: {
      en: 'no colours (also NO_COLOR=1, and whenever stdout is not a terminal)',
      it: "niente colori (anche con NO_COLOR=1, e quando l'uscita non è un terminale)",
    },
    h_readersBlock: {
      en: `Readers:
  (none)                the only reader holding a TS-CNS
  --reader NAME         a PC/SC reader: exact name, unique part of it, or its number in "cns readers"
  --reader sim          the demo virtual card (created on first use; PIN 12345, PUK 12345678)
  --reader sim:IMAGE    a virtual card image made with "cns sim create IMAGE"`,
      it: `Lettori:
  (nessuno)             l'unico lettore con dentro una TS-CNS
  --reader NOME         un lettore PC/SC: nome esatto, una sua parte univoca, o il numero in "cns readers"
  --reader sim          la carta virtuale dimostrativa (creata al primo uso; PIN 12345, PUK 12345678)
  --reader sim:IMMAGINE un'immagine di carta virtuale fatta con "cns sim create IMMAGINE"`,
    },
    h_secretsBlock: {
      en: `Secrets (PIN, PUK) are never taken from arguments. They come from:
  a hidden prompt on a terminal (the new PIN typed twice),
  --stdin  one per line: verify: PIN; change: current PIN, new PIN; unblock: PUK, new PIN
  --env    CNS_PIN, CNS_NEW_PIN, CNS_PUK
Tries left are shown before asking. With one try left the command acts only with
--last-attempt or a typed confirmation. No PIN or PUK command is ever retried by this tool.`,
      it: `PIN e PUK non si passano mai come argomenti. Arrivano da:
  una richiesta nascosta sul terminale (il nuovo PIN va scritto due volte),
  --stdin  uno per riga: verify: PIN; change: PIN attuale, nuovo PIN; unblock: PUK, nuovo PIN
  --env    CNS_PIN, CNS_NEW_PIN, CNS_PUK
I tentativi rimasti sono mostrati prima di chiedere. Con un solo tentativo rimasto il comando
procede solo con --last-attempt o con una conferma scritta. Nessun comando PIN o PUK viene mai
ripetuto da questo programma.`,
    },
    h_exitBlock: {
      en: `Exit codes:
  0  success
  1  internal error, or a PKCS#11 module that crashed, hung or would not load
  2  usage error or invalid input (nothing was sent to the card)
  3  wrong PIN or PUK (the card counted an attempt)
  4  PIN or PUK blocked
  5  smart-card service unavailable, no reader (or PKCS#11 module), card in use,
     or NSS tools, browser database or browser module missing (cns browser)
  6  no card, or card removed during the operation
  7  card not a supported TS-CNS, unreadable, not answering or answering garbage
     (or not possible through that module)
  8  certificate expired, not yet valid or expiring (cert check)
  9  refused: last attempt without confirmation, the user declined, or a browser is open
  10 not eligible (validity extension)
  11 remote service error (validity extension)
  12 PIN entry on the reader's keypad cancelled or timed out (no try spent)`,
      it: `Codici di uscita:
  0  riuscito
  1  errore interno, o modulo PKCS#11 andato in crash, bloccato o non caricabile
  2  uso errato o dati non validi (nulla è stato inviato alla carta)
  3  PIN o PUK errato (la carta ha contato un tentativo)
  4  PIN o PUK bloccato
  5  servizio smart card non attivo, nessun lettore (o modulo PKCS#11), carta già in uso,
     o strumenti NSS, database o modulo del browser mancanti (cns browser)
  6  nessuna carta, o carta tolta durante l'operazione
  7  carta non TS-CNS supportata, illeggibile, muta o con risposte senza senso
     (o operazione impossibile con quel modulo)
  8  certificato scaduto, non ancora valido o in scadenza (cert check)
  9  rifiutato: ultimo tentativo senza conferma, annullato da te, o browser aperto
  10 non estendibile (proroga di validità)
  11 errore del servizio remoto (proroga di validità)
  12 inserimento del PIN sul tastierino del lettore annullato o scaduto (nessun tentativo usato)`,
    },
    h_warnDays: {
      en: 'days before expiry that count as "expiring"',
      it: 'giorni prima della scadenza che contano come "in scadenza"',
    },
    h_readers: {
      en: 'list readers (and the virtual card "sim"): card present, ATR, model',
      it: 'elenca i lettori (e la carta virtuale "sim"): carta presente, ATR, modello',
    },
    h_watch: {
      en: 'one JSON line per reader/card event on stdout, until Ctrl-C (for kiosks)',
      it: 'una riga JSON per ogni evento di lettore o carta, fino a Ctrl-C (per i totem)',
    },
    h_watchOnce: {
      en: 'wait for the next card insertion, print it and exit',
      it: 'aspetta il prossimo inserimento di una carta, stampalo ed esci',
    },
    h_status: {
      en: 'everything readable without a PIN: card, holder, certificate, PIN/PUK tries (spends no attempt)',
      it: 'tutto ciò che si legge senza PIN: carta, titolare, certificato, tentativi PIN/PUK (non consuma tentativi)',
    },
    h_pin: { en: 'verify, change or unblock the PIN', it: 'verifica, cambia o sblocca il PIN' },
    h_stdin: {
      en: 'read the secrets from standard input, one per line',
      it: "leggi PIN e PUK dall'input standard, uno per riga",
    },
    h_env: { en: 'read the secrets from CNS_PIN / CNS_NEW_PIN / CNS_PUK', it: 'leggi PIN e PUK da CNS_PIN / CNS_NEW_PIN / CNS_PUK' },
    h_noPinpad: {
      en: "type the PIN on the computer's keyboard even where the reader has a keypad",
      it: 'digita il PIN sulla tastiera del computer anche se il lettore ha un tastierino',
    },
    h_lastAttempt: { en: 'allow using the last remaining try', it: "consenti di usare l'ultimo tentativo rimasto" },
    h_pinVerify: {
      en: 'check the PIN (spends a try only if it is wrong)',
      it: 'controlla il PIN (consuma un tentativo solo se è errato)',
    },
    h_signTest: {
      en: 'also make a test signature with the card key and verify it',
      it: 'fai anche una firma di prova con la chiave della carta e verificala',
    },
    h_pinChange: {
      en: 'change the PIN (current PIN, then the new one)',
      it: 'cambia il PIN (il PIN attuale, poi quello nuovo)',
    },
    h_pinUnblock: {
      en: 'unblock the PIN with the PUK and set a new PIN',
      it: 'sblocca il PIN con il PUK e imposta un nuovo PIN',
    },
    h_signatureKeyset: {
      en: "the signature keyset's PIN (reference 1A) and PUK (1B), on cards that have one",
      it: 'il PIN (riferimento 1A) e il PUK (1B) del keyset di firma, sulle carte che lo hanno',
    },
    h_signatureCert: {
      en: 'the signature certificate (EF 3F00/1400/9010), on cards that have one',
      it: 'il certificato di firma (EF 3F00/1400/9010), sulle carte che lo hanno',
    },
    h_sigKeyset: {
      en: 'add the second (signature) keyset: certificate 3F00/1400/9010, PIN 1A, PUK 1B',
      it: 'aggiungi il secondo keyset (di firma): certificato 3F00/1400/9010, PIN 1A, PUK 1B',
    },
    h_sigLayout: {
      en: 'where the signature keyset is: cns1 (1400/9010, PIN 1A) or infocamere (the older 2FFF/8228 under the CNS PIN)',
      it: 'dove sta il keyset di firma: cns1 (1400/9010, PIN 1A) o infocamere (il vecchio 2FFF/8228 con il PIN della CNS)',
    },
    h_sigPin: { en: 'signature PIN of the test card (default 24681357)', it: 'PIN di firma della carta di prova (predefinito 24681357)' },
    h_sigPuk: { en: 'signature PUK of the test card (default 97531864)', it: 'PUK di firma della carta di prova (predefinito 97531864)' },
    h_allowWeak: {
      en: 'accept a new PIN that is easy to guess (one digit repeated, digits in a row, the birth date)',
      it: 'accetta un nuovo PIN facile da indovinare (una cifra ripetuta, cifre in fila, la data di nascita)',
    },
    h_cert: { en: 'the authentication certificate', it: 'il certificato di autenticazione' },
    h_certShow: { en: 'subject, issuer, serial, validity', it: 'titolare, emittente, numero di serie, validità' },
    h_certExport: {
      en: 'write the certificate (PEM or DER) to a file or stdout',
      it: "scrivi il certificato (PEM o DER) in un file o sull'uscita standard",
    },
    h_format: { en: 'pem or der', it: 'pem o der' },
    h_out: { en: 'output file (default: stdout)', it: "file di uscita (predefinito: l'uscita standard)" },
    h_forceFile: { en: 'overwrite an existing file', it: 'sovrascrivi un file esistente' },
    h_certCheck: {
      en: 'exit 8 when the certificate is expired, not yet valid, or expires within --warn-days',
      it: 'esci con 8 se il certificato è scaduto, non ancora valido, o scade entro --warn-days',
    },
    h_completion: {
      en: 'print shell completion: source <(cns completion bash)',
      it: 'stampa il completamento per la shell: source <(cns completion bash)',
    },
    h_shell: { en: 'bash or zsh', it: 'bash o zsh' },
    h_doctor: {
      en: 'read-only diagnosis for help desks: service, readers, card, middleware, tries, certificate (never asks a PIN)',
      it: "diagnosi in sola lettura per l'assistenza: servizio, lettori, carta, middleware, tentativi, certificato (non chiede mai il PIN)",
    },
    h_report: {
      en: 'write a JSON ticket: checks, versions, reader, ATR, card id and certificate serial; no name, codice fiscale, address or birth data (the holder only as a salted hash). The card id and serial identify the card to whoever holds the card database: see --redact-ids',
      it: "scrivi una segnalazione JSON: controlli, versioni, lettore, ATR, numero della carta e numero di serie del certificato; niente nome, codice fiscale, indirizzo o dati di nascita (il titolare solo come hash con sale). Numero della carta e numero di serie identificano la carta per chi ha l'archivio delle carte: vedi --redact-ids",
    },
    h_redactIds: {
      en: 'in the ticket, the card id and the certificate serial as salted hashes too',
      it: 'nella segnalazione, anche il numero della carta e il numero di serie come hash con sale',
    },
    h_allReaders: { en: 'diagnose every reader, concurrently', it: 'diagnostica tutti i lettori, in parallelo' },
    h_salt: {
      en: 'salt for the holder hash (default CNS_REPORT_SALT, else one kept in the state directory)',
      it: "sale per l'hash del titolare (predefinito CNS_REPORT_SALT, altrimenti uno conservato nella cartella di stato)",
    },
    h_extend: {
      en: 'the 2023 validity extension of the CNS certificate: for cards expiring by 30/12/2023, until 31/12/2023',
      it: 'la proroga 2023 della validità del certificato CNS: per le carte in scadenza entro il 30/12/2023, fino al 31/12/2023',
    },
    h_check: {
      en: 'only evaluate the eligibility rules (exit 10 when not eligible)',
      it: 'valuta solo le regole di idoneità (esce con 10 se non estendibile)',
    },
    h_at: {
      en: 'evaluate at this date instead of today (ISO date or date-time)',
      it: 'valuta a questa data invece che a oggi (data o data e ora ISO)',
    },
    h_crl: { en: 'a local CRL (PEM or DER) to check revocation', it: 'una CRL locale (PEM o DER) per controllare la revoca' },
    h_service: {
      en: 'the extension service (default CNS_EXTENSION_URL, else http://127.0.0.1:8470)',
      it: 'il servizio di proroga (predefinito CNS_EXTENSION_URL, altrimenti http://127.0.0.1:8470)',
    },
    h_caPin: {
      en: 'pin the issuing CA instead of trusting the one the service sends',
      it: 'fissa la CA emittente invece di fidarti di quella inviata dal servizio',
    },
    h_timeout: { en: 'seconds to wait for the service (default 15)', it: 'secondi di attesa del servizio (predefinito 15)' },
    h_retries: {
      en: 'network retries (default 2; never PIN/PUK)',
      it: 'nuovi tentativi di rete (predefinito 2; mai per PIN o PUK)',
    },
    h_yes: { en: 'do not ask for confirmation', it: 'non chiedere conferma' },
    h_resume: {
      en: 'finish an interrupted, journaled certificate write',
      it: 'completa una scrittura del certificato interrotta e registrata',
    },
    h_restore: {
      en: 'write a saved certificate back to the card (PUK required)',
      it: 'riscrivi sulla carta un certificato salvato (serve il PUK)',
    },
    h_extStdin: {
      en: 'read the PIN then the PUK from standard input, one per line',
      it: "leggi il PIN e poi il PUK dall'input standard, uno per riga",
    },
    h_extEnv: { en: 'read CNS_PIN and CNS_PUK', it: 'leggi CNS_PIN e CNS_PUK' },
    h_extLastAttempt: {
      en: 'allow using the last remaining PIN or PUK try',
      it: "consenti di usare l'ultimo tentativo rimasto di PIN o PUK",
    },
    h_extService: {
      en: 'run the reference extension service (plays the retired Sistema TS side)',
      it: 'avvia il servizio di proroga di riferimento (fa la parte del Sistema TS, ormai dismesso)',
    },
    h_port: { en: 'TCP port (default 8470; 0 = any free port)', it: 'porta TCP (predefinita 8470; 0 = una porta libera)' },
    h_host: { en: 'address to listen on (default 127.0.0.1)', it: 'indirizzo di ascolto (predefinito 127.0.0.1)' },
    h_caCert: {
      en: 'issuing CA certificate (default: the project test CA)',
      it: 'certificato della CA emittente (predefinito: la CA di prova del progetto)',
    },
    h_caKey: { en: 'issuing CA key', it: 'chiave della CA emittente' },
    h_revoked: {
      en: 'revoked certificate serials, one per line (hex)',
      it: 'numeri di serie dei certificati revocati, uno per riga (esadecimali)',
    },
    h_now: {
      en: 'the service clock (ISO date or date-time), for tests and demos',
      it: "l'orologio del servizio (data o data e ora ISO), per prove e dimostrazioni",
    },
    h_issued: {
      en: 'where issued certificates are remembered, one per extended certificate (default: the state directory)',
      it: 'dove ricordare i certificati emessi, uno per certificato prorogato (predefinito: la cartella di stato)',
    },
    h_sim: { en: 'the virtual TS-CNS card', it: 'la carta TS-CNS virtuale' },
    h_simCreate: {
      en: 'create a virtual card image (a JSON file holding the whole card state)',
      it: "crea un'immagine di carta virtuale (un file JSON con tutto lo stato della carta)",
    },
    h_image: { en: 'path of the card image', it: "percorso dell'immagine della carta" },
    h_simPin: { en: 'PIN of the test card (5-8 digits)', it: 'PIN della carta di prova (5-8 cifre)' },
    h_simPuk: { en: 'PUK of the test card (8 digits)', it: 'PUK della carta di prova (8 cifre)' },
    h_pinTries: { en: 'PIN retry counter', it: 'numero massimo di tentativi del PIN' },
    h_pukTries: { en: 'PUK retry counter', it: 'numero massimo di tentativi del PUK' },
    h_pinTriesLeft: {
      en: 'PIN tries left now (default: all; 0: a blocked PIN, for training)',
      it: 'tentativi PIN rimasti ora (predefinito: tutti; 0: PIN bloccato, per formazione)',
    },
    h_pukTriesLeft: {
      en: 'PUK tries left now (default: all; 0: a blocked PUK)',
      it: 'tentativi PUK rimasti ora (predefinito: tutti; 0: PUK bloccato)',
    },
    h_generation: {
      en: 'make a card of this generation: st2021, stincard, athena, idemia2021, ace2025, jsign2048, nosize, oberthur, siemens, idemia-nfc, nfc, hpc',
      it: 'crea una carta di questa generazione: st2021, stincard, athena, idemia2021, ace2025, jsign2048, nosize, oberthur, siemens, idemia-nfc, nfc, hpc',
    },
    h_contactless: {
      en: 'the card as a contactless (NFC) reader shows it (default generation: nfc)',
      it: 'la carta come la mostra un lettore senza contatto (NFC) (generazione predefinita: nfc)',
    },
    h_maxResponse: {
      en: 'the most bytes one response carries (more through GET RESPONSE; default 256)',
      it: 'il massimo di byte in una risposta (il resto con GET RESPONSE; predefinito 256)',
    },
    h_atr: { en: 'ATR (default: STIncard TS-CNS, CNS 1.1)', it: 'ATR (predefinito: STIncard TS-CNS, CNS 1.1)' },
    h_keySize: {
      en: '1024 or 2048 (default from the ATR: 2048 for CNS 1.1)',
      it: "1024 o 2048 (predefinito secondo l'ATR: 2048 per CNS 1.1)",
    },
    h_notBefore: {
      en: 'certificate start (ISO date or date-time; dates are Italian days)',
      it: 'inizio validità del certificato (data o data e ora ISO; le date sono giorni italiani)',
    },
    h_notAfter: {
      en: 'certificate end (ISO date = end of that Italian day)',
      it: 'fine validità del certificato (data ISO = fine di quel giorno in Italia)',
    },
    h_surname: { en: 'holder surname', it: 'cognome del titolare' },
    h_givenName: { en: 'holder given name', it: 'nome del titolare' },
    h_codiceFiscale: {
      en: 'holder codice fiscale (valid check character); sex, birth date and place come from it',
      it: 'codice fiscale del titolare (con carattere di controllo valido); sesso, data e luogo di nascita derivano da esso',
    },
    h_cardId: {
      en: '16 digits with a Luhn check digit (default: random)',
      it: '16 cifre con cifra di controllo Luhn (predefinito: a caso)',
    },
    h_certPem: {
      en: 'use this certificate instead of generating one (with --key)',
      it: 'usa questo certificato invece di generarne uno (con --key)',
    },
    h_keyPem: { en: 'the private key of --cert', it: 'la chiave privata di --cert' },
    h_forceImage: { en: 'overwrite an existing image', it: "sovrascrivi un'immagine esistente" },
    h_simFixtures: {
      en: 'The --pin and --puk of a virtual test card are fixtures, not secrets: never use real codes here.',
      it: 'I --pin e --puk di una carta virtuale di prova sono dati di prova, non segreti: non usare mai qui codici veri.',
    },
    h_simAttach: {
      en: 'put a card image in a vpcd virtual reader (pcscd: "Virtual PCD 00 00") until stopped',
      it: 'inserisci un\'immagine di carta in un lettore virtuale vpcd (pcscd: "Virtual PCD 00 00") finché non lo fermi',
    },
    h_vpcd: { en: 'where vpcd listens', it: 'dove ascolta vpcd' },
    h_vpcdPort: {
      en: 'vpcd port (35964 is the second reader, "Virtual PCD 00 01")',
      it: 'porta di vpcd (35964 è il secondo lettore, "Virtual PCD 00 01")',
    },
    h_leaveAfter: {
      en: 'fault injection for tests: leave the reader after N APDUs',
      it: 'guasto simulato per le prove: esci dal lettore dopo N APDU',
    },
    h_muteAfter: {
      en: 'fault injection for tests: stay in the reader but answer nothing after N APDUs',
      it: 'guasto simulato per le prove: resta nel lettore ma non rispondere più dopo N APDU',
    },
    h_garbageAfter: {
      en: 'fault injection for tests: answer garbage after N APDUs',
      it: 'guasto simulato per le prove: rispondi con dati senza senso dopo N APDU',
    },
    h_garbage: {
      en: 'the garbage (default 90: one byte, no status word; "" empty; 6110 endless 61xx)',
      it: 'i dati senza senso (predefinito 90: un byte, senza status word; "" vuoto; 6110 61xx senza fine)',
    },
    h_latency: {
      en: 'physical-card model (benchmark): milliseconds per APDU (default 5 when --baud is given)',
      it: 'modello di carta fisica (benchmark): millisecondi per APDU (predefinito 5 se si indica --baud)',
    },
    h_baud: {
      en: 'physical-card model (benchmark): bit/s of the card link, 11 bits per byte (default 115200 when --latency is given)',
      it: 'modello di carta fisica (benchmark): bit/s del collegamento con la carta, 11 bit per byte (predefinito 115200 se si indica --latency)',
    },
    h_stats: {
      en: 'keep the APDU and byte counts in this file (benchmark)',
      it: 'conserva in questo file il conteggio di APDU e byte (benchmark)',
    },
  }) as const;
