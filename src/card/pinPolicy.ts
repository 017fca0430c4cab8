/**
 * New PINs that are easy to guess: one digit repeated, a straight run up or down (12345,
 * 98765, 234567), or the holder's birth date written as digits. Pure: the caller knows the
 * birth date (EF_Dati_personali, or the codice fiscale) and decides what to do.
 */
export type WeakPin = 'repeated' | 'sequence' | 'birthdate';

export function weakPinReason(pin: string, birthDate?: string | null): WeakPin | null {
  if (!/^\d+$/.test(pin)) return null;
  if (/^(\d)\1+$/.test(pin)) return 'repeated';
  const d = [...pin].map(Number);
  const steps = d.slice(1).map((x, i) => x - d[i]!);
  if (steps.every((s) => s === 1) || steps.every((s) => s === -1)) return 'sequence';
  const m = birthDate ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate) : null;
  if (m) {
    const [, yyyy, mm, dd] = m as unknown as [string, string, string, string];
    const yy = yyyy.slice(2);
    const forms = [dd + mm + yy, dd + mm + yyyy, yyyy + mm + dd, yy + mm + dd, mm + dd + yy, mm + dd + yyyy, dd + mm + yyyy.slice(1)];
    if (forms.includes(pin)) return 'birthdate';
  }
  return null;
}
