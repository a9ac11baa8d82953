/** Small, strict DOM helpers (xmldom): element children only, namespace-qualified lookups. */

export function elementChildren(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

export function childrenNs(node: Node, ns: string, localName: string): Element[] {
  return elementChildren(node).filter((e) => e.namespaceURI === ns && e.localName === localName);
}

/** The only child `ns:localName`, undefined when absent; throws `onMany()` when there are several. */
export function onlyChild(node: Node, ns: string, localName: string, onMany: () => Error): Element | undefined {
  const found = childrenNs(node, ns, localName);
  if (found.length > 1) throw onMany();
  return found[0];
}

export function textOf(el: Element | undefined): string {
  return (el?.textContent ?? '').trim();
}

/** Every element of the subtree (root included), document order. */
export function allElements(root: Node): Element[] {
  const out: Element[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (n.nodeType === 1) out.push(n as Element);
    const kids: Node[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) kids.push(c);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as Node);
  }
  return out;
}
