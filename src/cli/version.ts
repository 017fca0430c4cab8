/** The tool's version (kept equal to package.json's; the pack test checks --version). */
export const VERSION = '0.1.0';
