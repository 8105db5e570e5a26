// Elastic tabstops, with the settings Alloy's formatter gives Go's
// text/tabwriter (min width 0, tab width 8, padding 1, pad with spaces,
// DiscardEmptyColumns | TabIndent), followed by trailing-blank trimming.
//
// Text is made of lines; a line is made of cells ended by a tab (`cellEnd`),
// and a last unterminated cell. Consecutive lines that all have a cell in
// column k form a column block: the column gets the width of its widest cell
// plus padding. A formfeed, or a line without any cell break, ends every
// block. Leading empty cells (indentation) print as tabs.

interface Cell {
  text: string;
  width: number; // in code points
  htab: boolean; // ended by "\t" (indentation, comment separator) rather than "\v"
  /** Length of the prefix of `text` that must not lose trailing blanks (escaped text). */
  keep: number;
}

const TAB_WIDTH = 8;
const PADDING = 1;

export class ElasticWriter {
  private out = '';
  private lines: Cell[][] = [[]];
  private cell: Cell = emptyCell();

  /** Appends text to the current cell; escaped text keeps its tabs and trailing blanks, and may span lines. */
  text(s: string, escaped = false): void {
    if (!escaped) {
      this.append(s, false);
      return;
    }
    const parts = s.split('\n');
    parts.forEach((part, i) => {
      if (i > 0) this.newline(false, true);
      this.append(part, true);
    });
  }

  private append(s: string, escaped: boolean): void {
    this.cell.text += s;
    this.cell.width += [...s].length;
    if (escaped) this.cell.keep = this.cell.text.length;
  }

  cellEnd(htab: boolean): void {
    this.cell.htab = htab;
    this.currentLine().push(this.cell);
    this.cell = emptyCell();
  }

  /** Ends the line; a formfeed also ends every column block. */
  newline(formfeed: boolean, escaped = false): void {
    const line = this.currentLine();
    if (escaped) this.cell.keep = this.cell.text.length + 1; // the newline is part of the string
    line.push(this.cell);
    this.cell = emptyCell();
    const cells = line.length;
    this.lines.push([]);
    if (formfeed || cells === 1) this.flush();
  }

  finish(): string {
    // The partial last line is written without a newline.
    const line = this.currentLine();
    if (this.cell.text !== '' || line.length > 0) line.push(this.cell);
    this.cell = emptyCell();
    this.flush(true);
    return this.out;
  }

  private currentLine(): Cell[] {
    return this.lines[this.lines.length - 1];
  }

  private flush(final = false): void {
    const lines = final ? this.lines : this.lines.slice(0, -1);
    this.format(lines, 0, lines.length, [], final);
    this.lines = [[]];
  }

  /** Lays out lines [from, to) given the widths of the columns to the left. */
  private format(lines: Cell[][], from: number, to: number, widths: number[], final: boolean): void {
    const column = widths.length;
    let line0 = from;
    for (let i = from; i < to; i++) {
      if (column >= lines[i].length - 1) continue;
      // Line i has a cell in this column: a column block starts here.
      this.writeLines(lines, line0, i, widths, final);
      line0 = i;
      let width = 0;
      let discardable = true;
      for (; i < to && column < lines[i].length - 1; i++) {
        const c = lines[i][column];
        width = Math.max(width, c.width + PADDING);
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable) width = 0;
      this.format(lines, line0, i, [...widths, width], final);
      line0 = i;
    }
    this.writeLines(lines, line0, to, widths, final);
  }

  private writeLines(lines: Cell[][], from: number, to: number, widths: number[], final: boolean): void {
    for (let i = from; i < to; i++) {
      const line = lines[i];
      let s = '';
      let keep = 0; // blanks before this offset belong to escaped text and stay
      let useTabs = true; // leading empty cells are indentation
      line.forEach((c, j) => {
        if (c.keep > c.text.length) keep = Infinity; // the line ends inside a raw string
        if (c.text === '') {
          if (j < widths.length) s += padding(0, widths[j], useTabs);
          return;
        }
        useTabs = false;
        if (c.keep > 0) keep = Math.max(keep, s.length + Math.min(c.keep, c.text.length));
        s += c.text;
        if (j < widths.length) s += padding(c.width, widths[j], false);
      });
      let end = s.length;
      while (end > keep && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
      this.out += s.slice(0, end);
      if (!(final && i === lines.length - 1)) this.out += '\n';
    }
  }
}

function padding(textWidth: number, cellWidth: number, useTabs: boolean): string {
  if (useTabs) {
    const w = Math.ceil(cellWidth / TAB_WIDTH) * TAB_WIDTH;
    return '\t'.repeat(Math.ceil((w - textWidth) / TAB_WIDTH));
  }
  return ' '.repeat(cellWidth - textWidth);
}

function emptyCell(): Cell {
  return { text: '', width: 0, htab: false, keep: 0 };
}
