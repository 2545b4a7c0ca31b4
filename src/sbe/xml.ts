// A small XML reader, enough for SBE message schemas: elements, attributes, text, comments,
// CDATA, processing instructions and the DOCTYPE skipped, the five predefined entities and
// numeric character references. No namespaces beyond keeping the prefix in the name (the
// schema reader strips it). Errors name the line and column of the problem.

import { XdpfeedError } from "../../bridge/errors.js";

export interface XmlElement {
  /** Tag name without its namespace prefix ("ns2:messageSchema" -> "messageSchema"). */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (entities decoded, CDATA kept), concatenated. */
  text: string;
  line: number;
  column: number;
}

export class XmlError extends XdpfeedError {
  constructor(message: string) {
    super("EXML", message);
    this.name = "XmlError";
  }
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: "\"", apos: "'" };

/** Parses a document and returns its root element. `source` names the file in errors. */
export function parseXml(text: string, source = "input"): XmlElement {
  let i = 0;
  // Line starts, for positions in errors and on elements (binary search, not a rescan).
  const starts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) starts.push(k + 1);
  const position = (at: number): { line: number; column: number } => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - starts[lo] + 1 };
  };
  const where = (at: number): string => {
    const p = position(at);
    return `${source}:${p.line}:${p.column}`;
  };
  const fail = (msg: string, at = i): never => {
    throw new XmlError(`${where(at)}: ${msg}`);
  };
  const decode = (s: string, at: number): string => s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g, (m, e: string | undefined) => {
    if (e === undefined) return fail("'&' not starting an entity (write &amp;)", at);
    if (e[0] === "#") {
      const code = e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (!(code >= 0 && code <= 0x10ffff)) return fail(`character reference ${m} out of range`, at);
      return String.fromCodePoint(code);
    }
    const v = ENTITIES[e];
    return v ?? fail(`unknown entity ${m} (only lt, gt, amp, quot, apos are defined)`, at);
  });
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  // Skips comments, processing instructions and the DOCTYPE; returns false at anything else.
  const skipMisc = (): boolean => {
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end < 0) fail("comment not closed (missing -->)");
      i = end + 3;
      return true;
    }
    if (text.startsWith("<?", i)) {
      const end = text.indexOf("?>", i + 2);
      if (end < 0) fail("processing instruction not closed (missing ?>)");
      i = end + 2;
      return true;
    }
    if (text.startsWith("<!DOCTYPE", i)) {
      const end = text.indexOf(">", i);
      if (end < 0) fail("DOCTYPE not closed");
      i = end + 1;
      return true;
    }
    return false;
  };
  const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
  const readName = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (!m) return fail(`expected a name, found ${JSON.stringify(text.slice(i, i + 10))}`);
    i += m[0].length;
    return m[0];
  };
  const local = (n: string): string => n.slice(n.indexOf(":") + 1);

  const element = (): XmlElement => {
    const start = i;
    i++; // '<'
    const tag = readName();
    const el: XmlElement = { name: local(tag), attrs: {}, children: [], text: "", ...position(start) };
    for (;;) {
      skipSpace();
      if (i >= text.length) fail(`element <${tag}> not closed`, start);
      if (text.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (text[i] === ">") {
        i++;
        break;
      }
      const at = i;
      const attr = readName();
      skipSpace();
      if (text[i] !== "=") fail(`attribute ${attr} of <${tag}> has no value`);
      i++;
      skipSpace();
      const q = text[i];
      if (q !== "\"" && q !== "'") fail(`value of attribute ${attr} must be quoted`);
      const end = text.indexOf(q, i + 1);
      if (end < 0) fail(`value of attribute ${attr} not closed`);
      const name = attr.startsWith("xmlns") ? attr : local(attr);
      if (name in el.attrs) fail(`attribute ${attr} repeated on <${tag}>`, at);
      el.attrs[name] = decode(text.slice(i + 1, end), i);
      i = end + 1;
    }
    // Content: text, CDATA, comments, child elements, until the matching end tag.
    for (;;) {
      if (i >= text.length) fail(`element <${tag}> not closed (missing </${tag}>)`, start);
      if (text.startsWith("</", i)) {
        const at = i;
        i += 2;
        const closing = readName();
        if (closing !== tag) fail(`</${closing}> closes <${tag}> (opened at ${where(start)})`, at);
        skipSpace();
        if (text[i] !== ">") fail(`end tag </${closing}> not closed`);
        i++;
        return el;
      }
      if (text.startsWith("<![CDATA[", i)) {
        const end = text.indexOf("]]>", i);
        if (end < 0) fail("CDATA section not closed (missing ]]>)");
        el.text += text.slice(i + 9, end);
        i = end + 3;
        continue;
      }
      if (text[i] === "<") {
        if (skipMisc()) continue;
        el.children.push(element());
        continue;
      }
      const next = text.indexOf("<", i);
      const end = next < 0 ? text.length : next;
      el.text += decode(text.slice(i, end), i);
      i = end;
    }
  };

  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (;;) {
    skipSpace();
    if (i >= text.length) fail("no root element");
    if (skipMisc()) continue;
    if (text[i] !== "<") fail("text before the root element");
    break;
  }
  const root = element();
  for (;;) {
    skipSpace();
    if (i >= text.length) return root;
    if (!skipMisc()) fail("content after the root element");
  }
}
