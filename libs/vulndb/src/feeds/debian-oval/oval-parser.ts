import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { FeedItem } from '../../model';
import { definitionItem, type DefinitionDraft } from './oval-definition';

/** No text of one definition comes near this; a longer one means a broken or hostile document. */
const MAX_TEXT_CHARS = 1024 * 1024;

/** The metadata elements whose text is kept, by their path below `<definition>`. */
const TEXT_FIELDS: Record<string, 'title' | 'platform' | 'product' | 'description' | 'moreinfo' | 'date'> = {
  'metadata/title': 'title',
  'metadata/affected/platform': 'platform',
  'metadata/affected/product': 'product',
  'metadata/description': 'description',
  'metadata/debian/moreinfo': 'moreinfo',
  'metadata/debian/date': 'date',
};

export class OvalFormatError extends Error {}

/**
 * A push parser for an OVAL definitions document: `write` text as it arrives, and each
 * definition is handed to `emit` as soon as its closing tag is read. Only the open definition is
 * held, so memory stays flat however large the document; the tests, objects and states after
 * the definitions are parsed (a truncated document must fail) but not kept. Throws on XML that is
 * not well-formed, and `OvalFormatError` on a document that is not OVAL definitions.
 */
export class OvalDefinitionsParser {
  private readonly sax = new SaxesParser({ xmlns: false, position: true });
  /** Local names of the open elements. */
  private readonly path: string[] = [];
  private draft: DefinitionDraft | undefined;
  /** Depth of the open `<definition>`, to read element paths relative to it. */
  private definitionDepth = 0;
  private capture: { field: string; text: string } | undefined;
  private definitions = 0;
  private sawDefinitions = false;

  constructor(private readonly emit: (item: FeedItem) => void) {
    this.sax.on('opentag', (tag) => this.open(tag));
    this.sax.on('closetag', () => this.close());
    this.sax.on('text', (text) => this.text(text));
    this.sax.on('cdata', (text) => this.text(text));
  }

  /** Definitions read so far. */
  get definitionCount(): number {
    return this.definitions;
  }

  write(text: string): void {
    this.sax.write(text);
  }

  /** Ends the document: throws when it is incomplete or held no definitions element. */
  end(): void {
    this.sax.close();
    if (!this.sawDefinitions) throw new OvalFormatError('no <definitions> element: not an OVAL definitions document');
  }

  private open(tag: SaxesTagPlain): void {
    const name = localName(tag.name);
    this.path.push(name);
    const depth = this.path.length;
    if (depth === 1 && name !== 'oval_definitions') throw new OvalFormatError(`the root element is <${tag.name}>, not <oval_definitions>`);
    if (depth === 2 && name === 'definitions') this.sawDefinitions = true;
    if (depth === 3 && name === 'definition' && this.path[1] === 'definitions') {
      this.definitions++;
      this.definitionDepth = depth;
      this.draft = { index: this.definitions, platforms: [], products: [], references: [], criteria: [] };
      setIf(this.draft, 'id', tag.attributes['id']);
      setIf(this.draft, 'class', tag.attributes['class']);
      return;
    }
    if (!this.draft) return;
    const relative = this.path.slice(this.definitionDepth).join('/');
    const field = TEXT_FIELDS[relative];
    if (field) this.capture = { field, text: '' };
    else if (relative === 'metadata/reference') {
      this.draft.references.push({ source: tag.attributes['source'], id: tag.attributes['ref_id'], url: tag.attributes['ref_url'] });
    } else if (name === 'criterion' && relative.startsWith('criteria/')) {
      const comment = tag.attributes['comment'];
      if (comment !== undefined) this.draft.criteria.push(comment);
    }
  }

  private text(text: string): void {
    if (!this.capture || !this.draft) return;
    if (this.capture.text.length + text.length > MAX_TEXT_CHARS) {
      this.draft.oversized ??= `<${this.capture.field}> is over ${MAX_TEXT_CHARS} characters`;
      return;
    }
    this.capture.text += text;
  }

  private close(): void {
    const depth = this.path.length;
    this.path.pop();
    const draft = this.draft;
    if (!draft) return;
    if (depth === this.definitionDepth) {
      this.draft = undefined;
      this.capture = undefined;
      this.emit(definitionItem(draft));
      return;
    }
    if (!this.capture) return;
    const { field, text } = this.capture;
    this.capture = undefined;
    const value = text.trim();
    if (field === 'platform') draft.platforms.push(value);
    else if (field === 'product') draft.products.push(value);
    else if (field === 'title') draft.title ??= value;
    else if (field === 'description' || field === 'moreinfo' || field === 'date') draft[field] ??= value;
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function setIf(draft: DefinitionDraft, key: 'id' | 'class', value: string | undefined): void {
  if (value !== undefined) draft[key] = value;
}
