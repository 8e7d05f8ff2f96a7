/**
 * The small XML reader and writer the contract servers share: S3, SOS and OSS documents have no
 * attributes worth reading and no mixed content, so elements, text and entities are all there is.
 * Namespace prefixes are dropped from element names.
 */

export interface XmlElement {
    name: string;
    children: XmlElement[];
    text: string;
}

export function parseXml(source: string): XmlElement {
    const cleaned = source.replace(/<\?[\s\S]*?\?>/g, "").replace(/<!--[\s\S]*?-->/g, "");
    const top: XmlElement = { name: "#document", children: [], text: "" };
    const stack: XmlElement[] = [top];
    const token = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
    let consumed = 0;
    for (let m = token.exec(cleaned); m; m = token.exec(cleaned)) {
        if (m.index !== consumed) throw new Error(`unexpected '${cleaned.slice(consumed, consumed + 20)}'`);
        consumed = token.lastIndex;
        const [, closing, qualified, , selfClosing, content] = m;
        const current = stack[stack.length - 1];
        if (content !== undefined) {
            current.text += decodeXml(content);
            continue;
        }
        const name = qualified.includes(":") ? qualified.slice(qualified.indexOf(":") + 1) : qualified;
        if (closing) {
            if (current.name !== name) throw new Error(`</${name}> closes <${current.name}>`);
            stack.pop();
            continue;
        }
        const element: XmlElement = { name, children: [], text: "" };
        current.children.push(element);
        if (!selfClosing) stack.push(element);
    }
    if (consumed !== cleaned.length) throw new Error(`unexpected '${cleaned.slice(consumed, consumed + 20)}'`);
    if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
    const roots = top.children;
    if (roots.length !== 1 || top.text.trim() !== "") throw new Error("a document needs exactly one root element");
    return roots[0];
}

export function decodeXml(value: string): string {
    return value.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
        switch (entity) {
            case "lt": return "<";
            case "gt": return ">";
            case "amp": return "&";
            case "quot": return "\"";
            case "apos": return "'";
            default: return String.fromCodePoint(entity.startsWith("#x") ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
        }
    });
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
    return element?.children.find((c) => c.name === name);
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
    return element?.children.filter((c) => c.name === name) ?? [];
}

export function text(element: XmlElement | undefined, name: string): string | undefined {
    const found = child(element, name);
    return found === undefined ? undefined : found.text.trim();
}

export function escapeXml(value: string): string {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}
