import type { X2jOptions, XMLParser } from "fast-xml-parser";
import { type CallSite, ServiceError } from "../../transport/serviceError";
import { configKey } from "../../common/configKey";

/**
 * The XML documents of S3, its compatibles and OSS, as a small element tree: names without their
 * namespace prefix, text with entities and CDATA decoded, attributes dropped (no answer we read
 * carries meaning in one). Parsing is fast-xml-parser's; the tree keeps the callers' helpers simple.
 */
export interface XmlElement {
    readonly name: string;
    readonly children: XmlElement[];
    text: string;
}

/**
 * A body that is not the XML document that was expected: not XML at all (an HTML error page, plain
 * text, nothing), or a document with another root. Callers that know where the body came from turn
 * it into a ServiceError (see readAnswerXml).
 */
export class UnexpectedDocumentError extends Error {
    constructor(readonly expectedRoot: string | undefined, readonly found: string, readonly excerpt: string) {
        super(`expected ${expectedRoot ? `an XML document <${expectedRoot}>` : "an XML document"}, got ${found}` +
            (excerpt ? `: ${JSON.stringify(excerpt)}` : ""));
        this.name = "UnexpectedDocumentError";
    }
}

/**
 * Parses `source` and returns its root element, which must be named `expectedRoot` (any name when
 * it is left out). Throws UnexpectedDocumentError for anything else, so that no caller reads an
 * HTML page as a document without the elements it looks for.
 */
export function parseXml(source: string, expectedRoot?: string): XmlElement {
    const excerpt = excerptOf(source);
    if (source.trim() === "") throw new UnexpectedDocumentError(expectedRoot, "an empty body", "");
    const { XMLValidator } = loadParser();
    const validity = XMLValidator.validate(source);
    if (validity !== true) {
        const found = looksLikeHtml(source) ? "an HTML page" : `text that is not XML (${validity.err.msg.replace(/\.$/, "")}, line ${validity.err.line})`;
        throw new UnexpectedDocumentError(expectedRoot, found, excerpt);
    }
    const roots = toElements(parser().parse(source) as OrderedNode[]);
    if (roots.length !== 1) throw new UnexpectedDocumentError(expectedRoot, `${roots.length} root elements`, excerpt);
    const root = roots[0];
    if (expectedRoot !== undefined && root.name !== expectedRoot) {
        const found = root.name.toLowerCase() === "html" ? "an HTML page" : `a document <${root.name}>`;
        throw new UnexpectedDocumentError(expectedRoot, found, excerpt);
    }
    return root;
}

/** Where an answer came from, for the error when it is not the document expected. */
export interface AnswerOrigin {
    readonly where: CallSite;
    readonly operation: string;
    readonly httpStatus: number;
    /** What to check, in the backend's words (which setting names the endpoint). */
    readonly hint?: string;
}

/**
 * The document an operation's answer must be, or a ServiceError in the one shape (zone, endpoint,
 * operation, status, what came back). Not retried: a service that answers an HTML page once will again.
 */
export function readAnswerXml(body: string, expectedRoot: string, origin: AnswerOrigin): XmlElement {
    try {
        return parseXml(body, expectedRoot);
    } catch (error) {
        if (!(error instanceof UnexpectedDocumentError)) throw error;
        throw new ServiceError({
            where: origin.where, operation: origin.operation, httpStatus: origin.httpStatus, code: "InvalidResponse",
            message: error.message, retryable: false,
            hint: origin.hint ?? `Check that the endpoint of zone '${origin.where.zone}' in '${configKey("zones")}' is the service's own endpoint, ` +
                `not a proxy, a portal or a login page in front of it.`,
        });
    }
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
    return element?.children.find((c) => c.name === name);
}

export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
    return element?.children.filter((c) => c.name === name) ?? [];
}

export function textOf(element: XmlElement | undefined, name: string): string | undefined {
    const found = child(element, name);
    return found ? found.text.trim() : undefined;
}

/** Serializes a nested object: arrays repeat their element, undefined values are left out. */
export function toXml(name: string, value: unknown): string {
    if (value === undefined) return "";
    if (Array.isArray(value)) return value.map((item) => toXml(name, item)).join("");
    if (typeof value === "object" && value !== null) {
        const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => toXml(k, v)).join("");
        return `<${name}>${inner}</${name}>`;
    }
    return `<${name}>${encodeEntities(String(value))}</${name}>`;
}

function encodeEntities(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** fast-xml-parser's ordered output: each node is `{ name: children }`, `{ "#text": text }` or `{ "#cdata": [{ "#text": text }] }`. */
type OrderedNode = Record<string, unknown>;

const textKey = "#text";
const cdataKey = "#cdata";

function toElements(nodes: readonly OrderedNode[]): XmlElement[] {
    const elements: XmlElement[] = [];
    for (const node of nodes) {
        for (const [name, value] of Object.entries(node)) {
            if (name === ":@" || name === textKey || name === cdataKey) continue;
            const element: XmlElement = { name, children: [], text: "" };
            for (const inner of (value as OrderedNode[]) ?? []) {
                if (textKey in inner) element.text += String(inner[textKey]);
                else if (cdataKey in inner) element.text += (inner[cdataKey] as OrderedNode[]).map((c) => String(c[textKey] ?? "")).join("");
            }
            element.children.push(...toElements((value as OrderedNode[]) ?? []));
            elements.push(element);
        }
    }
    return elements;
}

let sharedParser: XMLParser | undefined;

/** Loaded on first use: most provider calls never read XML, and start-up time counts. */
function loadParser(): typeof import("fast-xml-parser") {
    return require("fast-xml-parser") as typeof import("fast-xml-parser");
}

function parser(): XMLParser {
    if (sharedParser) return sharedParser;
    const options: Partial<X2jOptions> = {
        preserveOrder: true,
        ignoreAttributes: true,
        removeNSPrefix: true,
        // Values stay text as sent: an ID "007" or a tag value "true" must not become a number or a boolean.
        parseTagValue: false,
        trimValues: false,
        ignoreDeclaration: true,
        ignorePiTags: true,
        cdataPropName: cdataKey,
        // Numeric character references (&#38;) are decoded only with this option in fast-xml-parser 5.
        htmlEntities: true,
    };
    sharedParser = new (loadParser().XMLParser)(options);
    return sharedParser;
}

function looksLikeHtml(source: string): boolean {
    return /^\s*(<\?xml[^>]*>\s*)?(<!doctype\s+html|<html[\s>])/i.test(source);
}

function excerptOf(source: string): string {
    const flat = source.replace(/\s+/g, " ").trim();
    return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}
