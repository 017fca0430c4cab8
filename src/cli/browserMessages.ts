/** `cns browser`: the card in the browser. Part of the one message catalogue (spread into it by i18n.ts). */
/** Built on first use: a command that needs none of these entries does not create them (issue 27). */
export const browserMessages = () =>
  ({
    NSS_TOOLS_MISSING: {
      en: 'The NSS tools (modutil, certutil, tstclnt) are not installed: "sudo apt-get install libnss3-tools" (Fedora: nss-tools), then try again.',
      it: 'Gli strumenti NSS (modutil, certutil, tstclnt) non sono installati: "sudo apt-get install libnss3-tools" (Fedora: nss-tools), poi riprova.',
    },
    // Windows has no package of NSS's tools; cns sets up Firefox there without them (pkcs11.txt)
    NSS_TOOLS_MISSING_win32: {
      en: "The NSS tools (modutil, certutil, tstclnt) do not exist for Windows as an installable package: cns sets up Firefox and Thunderbird here without them, but cannot do what only they can (a login test through the browser's own TLS client).",
      it: 'Gli strumenti NSS (modutil, certutil, tstclnt) non esistono per Windows come pacchetto da installare: cns qui configura Firefox e Thunderbird senza di loro, ma non può fare ciò che solo loro sanno fare (una prova di accesso con il client TLS del browser).',
    },
    // Homebrew's formula nss has modutil and certutil
    NSS_TOOLS_MISSING_darwin: {
      en: 'The NSS tools (modutil, certutil, tstclnt) are not installed: "brew install nss" (Homebrew), then try again.',
      it: 'Gli strumenti NSS (modutil, certutil, tstclnt) non sono installati: "brew install nss" (Homebrew), poi riprova.',
    },
    NSS_TOOL_FAILED: {
      en: "The browser database could not be used: {detail}. Close the browser and try again; if it persists, the profile's security database may be damaged.",
      it: 'Il database del browser non si riesce a usare: {detail}. Chiudi il browser e riprova; se continua, il database di sicurezza del profilo potrebbe essere danneggiato.',
    },
    // the same words as the status line that says it (brNone)
    NO_BROWSER_DB: { en: '{@brNone}', it: '{@brNone}' },

    BROWSER_MODULE_MISSING: {
      en: '{db}: the card module is not loaded in this browser. Run "cns browser setup" first.',
      it: '{db}: il modulo della carta non è caricato in questo browser. Esegui prima "cns browser setup".',
    },
    BROWSER_TOKEN_NOT_SEEN: {
      en: '{db}: the browser does not see the card through its module. Check that the card is in the reader and that the smart-card service runs ("cns doctor").',
      it: '{db}: il browser non vede la carta tramite il suo modulo. Controlla che la carta sia nel lettore e che il servizio smart card sia attivo ("cns doctor").',
    },
    BROWSER_CERT_NOT_SEEN: {
      en: '{db}: the browser sees the card but not its certificate. The module may not support this card generation ("cns doctor" names the right middleware).',
      it: '{db}: il browser vede la carta ma non il suo certificato. Il modulo potrebbe non supportare questa generazione di carta ("cns doctor" indica il middleware giusto).',
    },
    BROWSER_TLS13_SIGNATURE: {
      en: "{db}: the login works with TLS 1.2 but not with TLS 1.3: the card or its module does not make the RSA-PSS signatures TLS 1.3 needs (the browser shows ERR_SSL_CLIENT_AUTH_SIGNATURE_FAILED). Update OpenSC (0.20 or later), or use the middleware of the card's generation.",
      it: "{db}: l'accesso funziona con TLS 1.2 ma non con TLS 1.3: la carta o il suo modulo non fanno le firme RSA-PSS che servono a TLS 1.3 (il browser mostra ERR_SSL_CLIENT_AUTH_SIGNATURE_FAILED). Aggiorna OpenSC (0.20 o successivo), o usa il middleware della generazione della carta.",
    },
    BROWSER_LOGIN_FAILED: {
      en: "{db}: the TLS login with the card did not succeed: the browser did not present the card's certificate, or the server did not accept it.",
      it: "{db}: l'accesso TLS con la carta non è riuscito: il browser non ha presentato il certificato della carta, o il server non l'ha accettato.",
    },
    advBrowser: {
      en: 'Close the browser, then "cns browser setup"; "cns browser test" proves a login.',
      it: 'Chiudi il browser, poi "cns browser setup"; "cns browser test" prova un accesso.',
    },
    advBrowserDuplicate: {
      en: 'Keep one copy of the card module: "cns browser remove" takes out what cns added; other copies from the browser\'s security devices settings.',
      it: 'Tieni una sola copia del modulo della carta: "cns browser remove" toglie ciò che ha aggiunto cns; le altre dalle impostazioni dei dispositivi di sicurezza del browser.',
    },
    dNoCardAnywhere: { en: 'no card in any reader', it: 'nessuna carta in alcun lettore' },
    brFirefox: { en: 'Firefox', it: 'Firefox' },
    brThunderbird: { en: 'Thunderbird', it: 'Thunderbird' },
    brChrome: { en: 'Chrome / Chromium / Edge / Brave', it: 'Chrome / Chromium / Edge / Brave' },
    brEsr: { en: 'ESR', it: 'ESR' },
    brSnap: { en: 'snap', it: 'snap' },
    brFlatpak: { en: 'flatpak', it: 'flatpak' },
    brXdg: { en: 'in ~/.config', it: 'in ~/.config' },
    brProfile: { en: '{browser}, profile "{profile}"', it: '{browser}, profilo "{profile}"' },
    brNoDb: { en: 'database not created yet (setup creates it)', it: 'database non ancora creato (setup lo crea)' },
    // Windows, macOS: cns writes the module list the browser made, never a new database
    brNoDbOpen: {
      en: 'the browser has not created its security database yet: open it once and close it',
      it: 'il browser non ha ancora creato il suo database di sicurezza: aprilo una volta e chiudilo',
    },
    brRegistered: { en: 'module registered ("{name}", {library})', it: 'modulo registrato ("{name}", {library})' },
    brRegisteredProxy: {
      en: 'module available through p11-kit ("{name}", {library})',
      it: 'modulo disponibile tramite p11-kit ("{name}", {library})',
    },
    brDuplicate: {
      en: 'the card module is loaded more than once ({names}): the PIN prompt breaks; keep one (cns browser remove takes out what cns added)',
      it: 'il modulo della carta è caricato più volte ({names}): la richiesta del PIN non funziona; tienine uno (cns browser remove toglie ciò che ha aggiunto cns)',
    },
    brWrongPath: {
      en: 'module "{name}" points to {library}, which this browser cannot load',
      it: 'il modulo "{name}" punta a {library}, che questo browser non può caricare',
    },
    brMissing: { en: 'the card module ({family}) is not registered', it: 'il modulo della carta ({family}) non è registrato' },
    'brCannot_snap-no-module': {
      en: 'Firefox from the snap cannot load {family} from the system and its snap has no copy: install Firefox from your distribution (deb) or use Chrome/Chromium',
      it: 'Firefox installato come snap non può caricare {family} dal sistema e lo snap non ne ha una copia: installa Firefox della distribuzione (deb) o usa Chrome/Chromium',
    },
    brCannot_flatpak: {
      en: 'a flatpak browser cannot load {family} from the system: install the browser from your distribution',
      it: 'un browser flatpak non può caricare {family} dal sistema: installa il browser della distribuzione',
    },
    'brCannot_not-installed': {
      en: 'no middleware for this card is installed: "sudo apt-get install opensc-pkcs11"',
      it: 'nessun middleware per questa carta è installato: "sudo apt-get install opensc-pkcs11"',
    },
    'brCannot_not-installed_win32': {
      en: 'no middleware for this card is installed: {@brInstallWindows}',
      it: 'nessun middleware per questa carta è installato: {@brInstallWindows}',
    },
    'brCannot_not-installed_darwin': {
      en: 'no middleware for this card is installed: {@brInstallMac}',
      it: 'nessun middleware per questa carta è installato: {@brInstallMac}',
    },
    // OpenSC's own downloads: OpenSC-*_win64.msi, OpenSC-*.dmg (github.com/OpenSC/OpenSC, README);
    // Homebrew's cask opensc-app (formerly opensc) installs the .dmg's /Library/OpenSC; `brew install` takes a cask's name too
    brInstallWindows: {
      en: "install OpenSC for Windows (OpenSC-…_win64.msi from github.com/OpenSC/OpenSC/releases), or the middleware of the card's maker",
      it: 'installa OpenSC per Windows (OpenSC-…_win64.msi da github.com/OpenSC/OpenSC/releases), oppure il middleware del produttore della carta',
    },
    brInstallMac: {
      en: 'install OpenSC for macOS (OpenSC-….dmg from github.com/OpenSC/OpenSC/releases, or "brew install opensc-app"), or the middleware of the card\'s maker',
      it: 'installa OpenSC per macOS (OpenSC-….dmg da github.com/OpenSC/OpenSC/releases, oppure "brew install opensc-app"), oppure il middleware del produttore della carta',
    },
    brRunning: { en: 'the browser is open', it: 'il browser è aperto' },
    brSeesCard: { en: "it sees the card's certificate", it: 'vede il certificato della carta' },
    brNotSeesCard: { en: "it does not see the card's certificate", it: 'non vede il certificato della carta' },
    brNone: {
      en: 'No browser database found for this user (Firefox, Thunderbird, Chrome/Chromium). Open Firefox or Chrome once (it creates its database), close it, then run "cns browser setup".',
      it: 'Nessun database di browser trovato per questo utente (Firefox, Thunderbird, Chrome/Chromium). Apri una volta Firefox o Chrome (così crea il suo database), chiudilo, poi esegui "cns browser setup".',
    },
    // Windows: Chrome and Edge have no NSS database there (the store line follows)
    brNone_win32: {
      en: 'No Firefox or Thunderbird profile found for this user (Chrome and Edge use the Windows certificate store: see below). To use Firefox, open it once (it creates its profile), close it, then run "cns browser setup".',
      it: 'Nessun profilo di Firefox o Thunderbird trovato per questo utente (Chrome ed Edge usano l\'archivio certificati di Windows: vedi sotto). Per usare Firefox, aprilo una volta (così crea il suo profilo), chiudilo, poi esegui "cns browser setup".',
    },
    brNone_G_win32: {
      en: 'No Firefox or Thunderbird profile found for this user (Chrome and Edge use the Windows certificate store: see below). To use Firefox, open it once (it creates its profile), close it, then choose "{@gBrowser}" again.',
      it: "Nessun profilo di Firefox o Thunderbird trovato per questo utente (Chrome ed Edge usano l'archivio certificati di Windows: vedi sotto). Per usare Firefox, aprilo una volta (così crea il suo profilo), chiudilo, poi scegli di nuovo «{@gBrowser}».",
    },
    brModule: { en: 'Card module: {family} ({path})', it: 'Modulo della carta: {family} ({path})' },
    brModule32: {
      en: 'This is the 32-bit build (Program Files (x86)): a 64-bit Firefox cannot load it. Install the 64-bit one (OpenSC-…_win64.msi).',
      it: 'Questa è la versione a 32 bit (Program Files (x86)): Firefox a 64 bit non la può caricare. Installa quella a 64 bit (OpenSC-…_win64.msi).',
    },
    brNoModule: {
      en: 'No middleware for the card is installed: "sudo apt-get install opensc-pkcs11"',
      it: 'Nessun middleware per la carta è installato: "sudo apt-get install opensc-pkcs11"',
    },
    brNoModule_win32: {
      en: 'No middleware for the card is installed: {@brInstallWindows}.',
      it: 'Nessun middleware per la carta è installato: {@brInstallWindows}.',
    },
    brNoModule_darwin: {
      en: 'No middleware for the card is installed: {@brInstallMac}.',
      it: 'Nessun middleware per la carta è installato: {@brInstallMac}.',
    },
    brNoCard: {
      en: 'No card in a reader: whether each browser sees it is not checked.',
      it: 'Nessuna carta in un lettore: non si controlla se ogni browser la vede.',
    },
    brNssTools: {
      en: 'The NSS tools are not installed ("sudo apt-get install libnss3-tools"): needed to set up and to check what the browser sees.',
      it: 'Gli strumenti NSS non sono installati ("sudo apt-get install libnss3-tools"): servono per configurare e per controllare cosa vede il browser.',
    },
    brNssTools_win32: {
      en: 'Windows has no NSS tools: cns sets up the browsers without them, but cannot ask the browser whether it sees the card.',
      it: 'Windows non ha gli strumenti NSS: cns configura i browser senza di loro, ma non può chiedere al browser se vede la carta.',
    },
    brNssTools_darwin: {
      en: 'The NSS tools are not installed ("brew install nss"): cns sets up the browsers without them, but needs them to check what the browser sees.',
      it: 'Gli strumenti NSS non sono installati ("brew install nss"): cns configura i browser senza di loro, ma servono per controllare cosa vede il browser.',
    },
    brAdviseSetup: {
      en: 'To register the card module: close the browsers, then "cns browser setup".',
      it: 'Per registrare il modulo della carta: chiudi i browser, poi "cns browser setup".',
    },
    brSkip_registered: { en: 'already registered, nothing to do', it: 'già registrato, nulla da fare' },
    brSkip_running: { en: 'the browser is open: not changed', it: 'il browser è aperto: non modificato' },
    brSkip_cannot: { en: 'cannot be set up (see "cns browser")', it: 'non si può configurare (vedi "cns browser")' },
    brSkip_duplicate: {
      en: 'the module is already there more than once: not changed (see "cns browser")',
      it: 'il modulo è già presente più volte: non modificato (vedi "cns browser")',
    },
    'brSkip_wrong-path': {
      en: 'a module added by someone else points to a library that is not there: not changed (see "cns browser")',
      it: 'un modulo aggiunto da altri punta a una libreria che non esiste: non modificato (vedi "cns browser")',
    },
    'brSkip_no-database': {
      en: '{@brNoDbOpen}, then set it up again: not changed',
      it: '{@brNoDbOpen}, poi ripeti la configurazione: non modificato',
    },
    brSkip_nothing: { en: 'nothing of cns there', it: 'nulla di cns' },
    brWouldAdd: { en: 'would register {library}', it: 'registrerebbe {library}' },
    brAdded: { en: 'registered {library}', it: 'registrato {library}' },
    brFailed: { en: 'not changed: {detail}', it: 'non modificato: {detail}' },
    brToolSaid: { en: '{tool} said "{said}"', it: '{tool} ha risposto "{said}"' },
    // cns's own change of pkcs11.txt (Windows, macOS): why it was not made
    'brList_no-file': {
      en: '{file} is not there: open the browser once and close it',
      it: '{file} non esiste: apri il browser una volta e chiudilo',
    },
    'brList_bad-library': {
      en: "the library path {file} cannot be written in the browser's module list",
      it: 'il percorso della libreria {file} non si può scrivere nella lista dei moduli del browser',
    },
    'brList_not-verified': {
      en: '{file} did not read back as written: the previous one was put back',
      it: '{file} riletto non corrisponde a quanto scritto: è stato rimesso quello di prima',
    },
    brCloseFirst: {
      en: 'Close the browser first, then run the command again (or --force, at your own risk: the browser may overwrite the change).',
      it: 'Chiudi prima il browser, poi ripeti il comando (oppure --force, a tuo rischio: il browser potrebbe annullare la modifica).',
    },
    brSetupDone: {
      en: 'Done. Open the browser with the card in the reader; "cns browser test" proves a real login.',
      it: 'Fatto. Apri il browser con la carta nel lettore; "cns browser test" prova un accesso vero.',
    },
    // Windows: no login test to offer (no NSS TLS client there)
    brSetupDone_win32: {
      en: 'Done. Open the browser with the card in the reader: a site that asks for the card then asks for its PIN.',
      it: 'Fatto. Apri il browser con la carta nel lettore: un sito che chiede la carta chiederà poi il suo PIN.',
    },
    brWouldRemove: { en: 'would remove what cns added', it: 'toglierebbe ciò che ha aggiunto cns' },
    brRemoved: { en: 'removed what cns added', it: 'tolto ciò che aveva aggiunto cns' },
    brNothingToRemove: {
      en: 'Nothing to remove: cns added nothing to these databases.',
      it: 'Nulla da togliere: cns non ha aggiunto nulla a questi database.',
    },
    brSimInProcess: {
      en: 'the virtual card (--reader sim) lives inside cns, where no browser sees it: put it in a virtual reader ("cns sim attach IMAGE") and run the test without --reader sim',
      it: 'la carta virtuale (--reader sim) vive dentro cns, dove nessun browser la vede: inseriscila in un lettore virtuale ("cns sim attach IMMAGINE") e ripeti la prova senza --reader sim',
    },
    brTesting: { en: 'Login test with {db}', it: 'Prova di accesso con {db}' },
    // Windows (and macOS without NSS's tools): what `browser test` can and cannot prove there
    BROWSER_TEST_UNAVAILABLE: {
      en: "A real login cannot be proved here: the proof drives the browser's own TLS client (NSS's tstclnt), which is not installed on this system. Above is what could be checked: the card module in each Firefox and Thunderbird profile. To try a login, open the browser with the card in the reader and go to a site that asks for it.",
      it: "Qui non si può provare un accesso vero: la prova usa il client TLS del browser (tstclnt di NSS), che su questo sistema non è installato. Qui sopra c'è ciò che si è potuto controllare: il modulo della carta in ogni profilo di Firefox e Thunderbird. Per provare un accesso, apri il browser con la carta nel lettore e vai su un sito che la chiede.",
    },
    BROWSER_TEST_UNAVAILABLE_win32: {
      en: "A real login cannot be proved on Windows: the proof drives the browser's own TLS client (NSS's tstclnt), which does not exist for Windows. Above is what could be checked: the card module in each Firefox and Thunderbird profile, and whether Windows knows the card through a minidriver (for Chrome and Edge); not whether the browser actually signs with it. To try a login, open the browser with the card in the reader and go to a site that asks for it.",
      it: "Su Windows non si può provare un accesso vero: la prova usa il client TLS del browser (tstclnt di NSS), che per Windows non esiste. Qui sopra c'è ciò che si è potuto controllare: il modulo della carta in ogni profilo di Firefox e Thunderbird, e se Windows conosce la carta tramite un minidriver (per Chrome ed Edge); non se il browser firma davvero con la carta. Per provare un accesso, apri il browser con la carta nel lettore e vai su un sito che la chiede.",
    },
    // Chrome and Edge on Windows: the system's certificate store, through the card's minidriver
    brStore: { en: 'Chrome / Edge (Windows certificate store)', it: 'Chrome / Edge (archivio certificati di Windows)' },
    brStoreRegistered: {
      en: 'Windows knows the card: minidriver "{name}" ({dll})',
      it: 'Windows conosce la carta: minidriver "{name}" ({dll})',
    },
    brStoreNoDll: {
      en: 'Windows lists the card as "{name}", but its minidriver {dll} is not there: reinstall the middleware that registered it',
      it: 'Windows elenca la carta come "{name}", ma il suo minidriver {dll} non c\'è: reinstalla il middleware che l\'ha registrata',
    },
    brStoreNotRegistered_opensc: {
      en: 'Windows does not know this card: Chrome and Edge cannot use it. Install OpenSC for Windows (OpenSC-…_win64.msi from github.com/OpenSC/OpenSC/releases) with its smart card minidriver: it registers this card.',
      it: 'Windows non conosce questa carta: Chrome ed Edge non la possono usare. Installa OpenSC per Windows (OpenSC-…_win64.msi da github.com/OpenSC/OpenSC/releases) con il suo minidriver per smart card: registra questa carta.',
    },
    brStoreNotRegistered_vendor: {
      en: "Windows does not know this card: Chrome and Edge cannot use it. OpenSC's installer does not register this card generation: install the minidriver of the card's middleware ({middleware}), from the card issuer's or your Region's site.",
      it: 'Windows non conosce questa carta: Chrome ed Edge non la possono usare. Il programma di installazione di OpenSC non registra questa generazione di carta: installa il minidriver del middleware della carta ({middleware}), dal sito di chi ha emesso la carta o della tua Regione.',
    },
    brStoreNoCard: {
      en: 'insert the card to check whether Windows knows it (Chrome and Edge use the Windows certificate store)',
      it: "inserisci la carta per controllare se Windows la conosce (Chrome ed Edge usano l'archivio certificati di Windows)",
    },
    brStoreUnknown: {
      en: 'the Windows smart-card list could not be read ({fault}): whether Chrome and Edge can use the card is not known',
      it: "l'elenco delle smart card di Windows non si è potuto leggere ({fault}): non si sa se Chrome ed Edge possono usare la carta",
    },
    brHandshakeOk: {
      en: '{version}: the local server accepted the card (client authentication)',
      it: '{version}: il server locale ha accettato la carta (autenticazione del client)',
    },
    brHandshakeFailed: { en: '{version}: login with the card failed', it: '{version}: accesso con la carta non riuscito' },
    brTestPassed: {
      en: '{db} can log in with the card (TLS 1.2 and TLS 1.3).',
      it: '{db} può accedere con la carta (TLS 1.2 e TLS 1.3).',
    },

    h_browser: {
      en: 'the card in the browser: which browsers see it, set them up, prove a real TLS login',
      it: 'la carta nel browser: quali browser la vedono, configurarli, provare un vero accesso TLS',
    },
    h_browserStatus: {
      en: 'every browser database of this user: module registered, browser open, card seen (the default)',
      it: "ogni database di browser dell'utente: modulo registrato, browser aperto, carta vista (predefinito)",
    },
    h_browserSetup: {
      en: 'register the card module in every browser database (idempotent; backups of pkcs11.txt kept)',
      it: 'registra il modulo della carta in ogni database di browser (ripetibile; copie di pkcs11.txt conservate)',
    },
    h_browserRemove: { en: 'take out exactly what setup added', it: 'togli esattamente ciò che setup ha aggiunto' },
    h_browserTest: {
      en: "a real TLS login with client certificate through the browser's NSS and the card (TLS 1.2 and 1.3)",
      it: 'un vero accesso TLS con certificato client tramite NSS del browser e la carta (TLS 1.2 e 1.3)',
    },
    h_browserOpt: {
      en: 'only this browser: firefox, thunderbird, chrome (repeatable)',
      it: 'solo questo browser: firefox, thunderbird, chrome (ripetibile)',
    },
    h_dbOpt: {
      en: 'this NSS database folder instead of the ones found (repeatable)',
      it: 'questa cartella di database NSS invece di quelle trovate (ripetibile)',
    },
    h_forceBrowser: {
      en: 'change a database even while its browser is open',
      it: 'modifica un database anche se il suo browser è aperto',
    },
    h_dryRun: { en: 'show what would be done, change nothing', it: 'mostra cosa verrebbe fatto, senza cambiare nulla' },
  }) as const;
