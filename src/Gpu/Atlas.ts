/**
 * The atlases the text and image pipelines read, built here (no font or image
 * files): one byte per texel, 1 = ink. The page uploads them as `r8uint`
 * textures and reads them with `textureLoad` (integer texel coordinates, no
 * filtering), so the GPU and the reference renderer look up the same bits.
 *
 * - Glyph atlas: the digits 0–9 as 5 × 7 px bitmaps side by side (50 × 7).
 *   An Element's text atom carries a font and a size but no characters, so a
 *   text instance draws the digit string `font, font+1, …` (mod 10) in 6 × 8 px
 *   cells (a 1 px gap right and below each glyph); the size is not used.
 * - Image atlas: 16 tiles of 8 × 8 texels side by side (128 × 8), tile `t`
 *   from a fixed formula; an image instance repeats tile `source mod 16`.
 *
 * @module
 */

export const glyphWidth = 5
export const glyphHeight = 7
export const glyphCount = 10
/** Glyph cells: the glyph plus a 1 px gap. */
export const cellWidth = 6
export const cellHeight = 8

/** Rows of the digits, top to bottom; `#` is ink. */
const digitRows: ReadonlyArray<ReadonlyArray<string>> = [
  [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
  ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
  [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
  ["####.", "....#", "....#", ".###.", "....#", "....#", "####."],
  ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
  ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
  [".###.", "#....", "#....", "####.", "#...#", "#...#", ".###."],
  ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
  [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
  [".###.", "#...#", "#...#", ".####", "....#", "....#", ".###."],
]

export const glyphAtlasWidth = glyphWidth * glyphCount

/** The glyph atlas, row-major, `glyphAtlasWidth × glyphHeight` bytes. */
export const glyphAtlas: Uint8Array = (() => {
  const a = new Uint8Array(glyphAtlasWidth * glyphHeight)
  digitRows.forEach((rows, g) =>
    rows.forEach((row, y) => {
      for (let x = 0; x < glyphWidth; x++) a[y * glyphAtlasWidth + g * glyphWidth + x] = row[x] === "#" ? 1 : 0
    }),
  )
  return a
})()

export const tileSize = 8
export const tileCount = 16
export const imageAtlasWidth = tileSize * tileCount

/**
 * Texel (x, y) of tile t: `((x·(1 + t mod 4) + y·(⌊t/4⌋ mod 4)) >> 1) & 1`,
 * inverted when t ≥ 8 (stripes, checks and diagonals).
 */
export const tileTexel = (t: number, x: number, y: number): number => {
  const bit = ((x * (1 + (t & 3)) + y * ((t >> 2) & 3)) >> 1) & 1
  return t >= 8 ? 1 - bit : bit
}

/** The image atlas, row-major, `imageAtlasWidth × tileSize` bytes. */
export const imageAtlas: Uint8Array = (() => {
  const a = new Uint8Array(imageAtlasWidth * tileSize)
  for (let t = 0; t < tileCount; t++)
    for (let y = 0; y < tileSize; y++) for (let x = 0; x < tileSize; x++) a[y * imageAtlasWidth + t * tileSize + x] = tileTexel(t, x, y)
  return a
})()
