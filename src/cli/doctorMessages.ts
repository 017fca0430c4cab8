/**
 * `cns doctor` and the problems of a card report: the words for what the library returns as codes
 * and facts (report/diagnose.ts, report/report.ts). Part of the one message catalogue (spread into
 * it by i18n.ts).
 */
/** Built on first use: a command that needs none of these entries does not create them (issue 27). */
export const doctorMessages = () =>
  ({
    pr_PKCS11_LIMITS: {
      en: 'through PKCS#11: no ATR, no EF_Dati_personali, tries only as token flags',
      it: 'tramite PKCS#11: niente ATR, niente EF_Dati_personali, tentativi solo come indicatori del token',
    },
    pr_PKCS11_FLAGS_UNRELIABLE: {
      en: "OpenSC's CNS emulation never reads the PIN counter and flags every PIN as locked: tries are unknown here; use --backend pcsc to read them",
      it: "l'emulazione CNS di OpenSC non legge mai il contatore del PIN e segna ogni PIN come bloccato: qui i tentativi sono sconosciuti; usa --backend pcsc per leggerli",
    },
    pr_PKCS11_FLAGS_UNRELIABLE_G: {
      en: "OpenSC's CNS emulation never reads the PIN counter and flags every PIN as locked: tries are unknown here",
      it: "l'emulazione CNS di OpenSC non legge mai il contatore del PIN e segna ogni PIN come bloccato: qui i tentativi sono sconosciuti",
    },
    pr_SIGNATURE_UNREADABLE: {
      en: 'the signature keyset could not be read: {detail}',
      it: 'impossibile leggere il keyset di firma: {detail}',
    },
  }) as const;
