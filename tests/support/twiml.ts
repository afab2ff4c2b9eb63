// A small strict XML reader for the TwiML the voice line answers: elements, attributes in quotes,
// text and the five predefined entities. It throws on anything malformed (an unclosed or
// mismatched tag, a bare "&" or "<", a duplicate attribute), so a test that parses an answer also
// checks it is well-formed XML.

/** One element of a parsed document. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string): string {
  if (/[<]/.test(raw)) throw new Error(`bare "<" in ${JSON.stringify(raw)}`);
  return raw.replace(/&([^;]*);?/g, (match, name: string) => {
    const value = match.endsWith(';') ? ENTITIES[name] : undefined;
    if (value === undefined) throw new Error(`bad entity ${match}`);
    return value;
  });
}

/** Parses an XML document (with or without its declaration) into its root element. */
export function parseXml(xml: string): XmlElement {
  let position = 0;
  const body = xml.replace(/^<\?xml[^?]*\?>/, '');
  const fail = (why: string): never => {
    throw new Error(`${why} at ${position}: ${body.slice(position, position + 40)}`);
  };

  function element(): XmlElement {
    const open = /^<([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/.exec(body.slice(position));
    if (!open) return fail('expected an element');
    position += open[0].length;
    const attributes: Record<string, string> = {};
    for (const [, key, value] of (open[2] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (key === undefined || value === undefined) continue;
      if (key in attributes) fail(`duplicate attribute ${key}`);
      attributes[key] = decode(value);
    }
    const node: XmlElement = { name: open[1] ?? '', attributes, children: [], text: '' };
    if (open[3] === '/') return node;
    for (;;) {
      const next = body.indexOf('<', position);
      if (next < 0) fail(`unclosed <${node.name}>`);
      node.text += decode(body.slice(position, next));
      position = next;
      if (body.startsWith('</', position)) {
        const close = /^<\/([\w:-]+)\s*>/.exec(body.slice(position));
        if (!close || close[1] !== node.name) fail(`expected </${node.name}>`);
        position += close?.[0].length ?? 0;
        return node;
      }
      node.children.push(element());
    }
  }

  const root = element();
  if (body.slice(position).trim() !== '') fail('text after the root element');
  return root;
}

/** A TwiML answer, parsed, with its verbs in order. */
export function parseTwiml(xml: string): XmlElement[] {
  const root = parseXml(xml);
  if (root.name !== 'Response') throw new Error(`the root is <${root.name}>, not <Response>`);
  return root.children;
}

/** What a caller hears from a <Say> or <Play>: the words and their voice, or the played URL. */
export type Heard = { say: string; voice: string | undefined; language: string | undefined } | { play: string };

/** Everything spoken or played, in order, looking inside <Gather>. */
export function heard(verbs: XmlElement[]): Heard[] {
  return verbs.flatMap((verb): Heard[] => {
    if (verb.name === 'Say') return [{ say: verb.text, voice: verb.attributes['voice'], language: verb.attributes['language'] }];
    if (verb.name === 'Play') return [{ play: verb.text }];
    if (verb.name === 'Gather') return heard(verb.children);
    return [];
  });
}
