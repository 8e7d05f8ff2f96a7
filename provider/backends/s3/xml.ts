/**
 * Just enough XML for S3 configuration documents that the AWS SDK's model does not cover
 * (MinIO's replication extensions): elements, text and entities; no attributes are kept.
 */
export interface XmlElement {
    readonly name: string;
    readonly children: XmlElement[];
    text: string;
}

export function parseXml(source: string): XmlElement {
    const root: XmlElement = { name: "#document", children: [], text: "" };
    const stack: XmlElement[] = [root];
    const token = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
    for (let match = token.exec(source); match; match = token.exec(source)) {
        const [, closing, opening, , selfClosing, text] = match;
        const current = stack[stack.length - 1];
        if (opening) {
            const element: XmlElement = { name: localName(opening), children: [], text: "" };
            current.children.push(element);
            if (!selfClosing) stack.push(element);
        } else if (closing) {
            if (stack.length > 1) stack.pop();
        } else if (text) {
            current.text += decodeEntities(text);
        }
    }
    return root.children[0] ?? root;
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

function localName(name: string): string {
    const colon = name.indexOf(":");
    return colon >= 0 ? name.slice(colon + 1) : name;
}

function encodeEntities(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function decodeEntities(text: string): string {
    return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
        switch (entity) {
            case "lt": return "<";
            case "gt": return ">";
            case "amp": return "&";
            case "quot": return "\"";
            case "apos": return "'";
            default: return String.fromCodePoint(entity[1] === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
        }
    });
}
