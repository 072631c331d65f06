import { ext } from '../platform';

export const BOOTS_KEY = 'rumscope.boots';

/**
 * Counts starts of the background since the browser started (storage.session survives a worker restart,
 * not a browser restart). Tests read it to prove a worker really restarted; the panel may show it.
 */
export async function countBoot(): Promise<number> {
  const area = ext.storage.session;
  if (!area) return 0;
  const stored = await area.get(BOOTS_KEY);
  const boots = ((stored[BOOTS_KEY] as number | undefined) ?? 0) + 1;
  await area.set({ [BOOTS_KEY]: boots });
  return boots;
}
