import type { Card } from '../card/card.js';

/** The holder's birth date (YYYY-MM-DD): EF_Dati_personali, else the codice fiscale in the certificate; null where neither says. */
export async function holderBirthDate(card: Card): Promise<string | null> {
  try {
    if (card.files) {
      const { parseDatiPersonali } = await import('../card/efDatiPersonali.js');
      const d = parseDatiPersonali(await card.files.readDatiPersonaliRaw());
      if (d.birthDate) return d.birthDate;
    }
  } catch {
    /* unreadable: try the certificate */
  }
  try {
    const { parseCertificate } = await import('../cert/x509.js');
    const { parseCnsCommonName } = await import('../cert/cnsSubject.js');
    const { decodeCodiceFiscale } = await import('../card/checks.js');
    const cn = parseCertificate(await card.readCertificate()).subject.find((a) => a.type === 'CN')?.value ?? '';
    const cf = parseCnsCommonName(cn)?.codiceFiscale;
    return cf ? (decodeCodiceFiscale(cf)?.birthDate ?? null) : null;
  } catch {
    return null;
  }
}
