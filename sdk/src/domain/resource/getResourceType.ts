const BY_EXTENSION: [RegExp, string][] = [
  [/\.(m?js)$/, 'script'],
  [/\.css$/, 'css'],
  [/\.(woff2?|ttf|otf|eot)$/, 'font'],
  [/\.(png|jpe?g|gif|svg|webp|avif|ico|bmp)$/, 'image'],
  [/\.(mp4|webm|ogg|mp3|wav|m3u8|ts)$/, 'media'],
];
const BY_INITIATOR: Record<string, string> = {
  script: 'script',
  img: 'image',
  image: 'image',
  video: 'media',
  audio: 'media',
  track: 'media',
  fetch: 'fetch',
  xmlhttprequest: 'xhr',
  beacon: 'beacon',
  iframe: 'document',
  frame: 'document',
};

/** script, css, image, font, media, fetch, xhr, beacon, document or other, from the initiator and the URL. */
export function getResourceType(entry: Pick<PerformanceResourceTiming, 'initiatorType' | 'name'>): string {
  const known = BY_INITIATOR[entry.initiatorType];
  if (known) return known;
  let path = entry.name;
  try {
    path = new URL(entry.name).pathname;
  } catch {
    // keep the name
  }
  path = path.toLowerCase();
  for (const [pattern, type] of BY_EXTENSION) if (pattern.test(path)) return type;
  return entry.initiatorType === 'css' || entry.initiatorType === 'link' ? 'css' : 'other';
}
