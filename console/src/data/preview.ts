/**
 * How a notification's title and body fit on a phone. The page renders the preview in a box as
 * wide as a phone's notification with CSS line clamps (the browser's own text measurement does
 * the truncation); these are the line counts it clamps to, and warnings from rough character
 * budgets for a typical 360-390 pt wide phone, which differ by font, language and device.
 */
export interface PlatformLayout {
  name: 'Android' | 'iOS';
  /** Lines the system shows before cutting with an ellipsis. */
  titleLines: number;
  bodyLines: number;
  /** Roughly how many Latin characters fit on one line. */
  charsPerLine: number;
  /** Where the image appears. */
  image: string;
}

export const LAYOUTS: PlatformLayout[] = [
  {
    // A collapsed notification in the shade: one line each; expanding it shows the whole text.
    name: 'Android',
    titleLines: 1,
    bodyLines: 1,
    charsPerLine: 40,
    image: 'a thumbnail when collapsed, the full picture when expanded',
  },
  {
    // Lock screen and banner: the title on one line, the body on up to four.
    name: 'iOS',
    titleLines: 1,
    bodyLines: 4,
    charsPerLine: 38,
    image: 'a thumbnail on the right, only if the app has a notification service extension',
  },
];

/** Plain-language notes on what will be cut on each platform. */
export function previewWarnings(title: string, body: string): string[] {
  const out: string[] = [];
  const len = (s: string) => [...s].length;
  for (const p of LAYOUTS) {
    if (len(title) > p.charsPerLine * p.titleLines) {
      out.push(
        `${p.name}: the title (${len(title)} characters) is likely cut after about ${p.charsPerLine}.`,
      );
    }
    const bodyBudget = p.charsPerLine * p.bodyLines;
    if (len(body) > bodyBudget) {
      out.push(
        `${p.name}: the body (${len(body)} characters) likely shows only about ${bodyBudget} until expanded.`,
      );
    }
  }
  return out;
}
