import { json, jsonParseLinter } from '@codemirror/lang-json';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import {
  Decoration,
  EditorView,
  MatchDecorator,
  ViewPlugin,
  type DecorationSet,
  type ViewUpdate,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import styles from './JsonEditor.module.css';

/**
 * n8n expressions: a JSON string whose value starts with `=` is evaluated by n8n (`"={{ $json.id }}"`).
 * They are marked as a whole, and the `{{ … }}` inside more strongly, so a literal and an
 * expression never look alike.
 */
const expressionMarks = new MatchDecorator({
  regexp: /"=(?:[^"\\]|\\.)*"/g,
  decoration: Decoration.mark({ class: 'cm-n8n-expression', attributes: { title: 'n8n expression' } }),
});
const braceMarks = new MatchDecorator({
  regexp: /\{\{(?:(?!\}\}).)*\}\}/g,
  decorate: (add, from, to, _match, view) => {
    // Only the {{ }} of expression strings: a plain string may contain braces as text.
    const line = view.state.doc.lineAt(from).text;
    if (/"=/.test(line)) add(from, to, Decoration.mark({ class: 'cm-n8n-braces' }));
  },
});
const marker = (decorator: MatchDecorator) =>
  ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      constructor(view: EditorView) {
        this.decorations = decorator.createDeco(view);
      }
      update(update: ViewUpdate) {
        this.decorations = decorator.updateDeco(update, this.decorations);
      }
    },
    { decorations: (v) => v.decorations },
  );

/** Colours from CSS variables (JsonEditor.module.css) so both themes keep readable contrast. */
const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: 'var(--cm-property)' },
  { tag: tags.string, color: 'var(--cm-string)' },
  { tag: tags.number, color: 'var(--cm-number)' },
  { tag: [tags.bool, tags.null], color: 'var(--cm-keyword)' },
  { tag: tags.invalid, color: 'var(--status-danger)' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--panel)', color: 'var(--text)', fontSize: 'var(--text-sm)' },
  '.cm-content': { fontFamily: 'var(--font-mono)', caretColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-n8n-expression': {
    backgroundColor: 'var(--cm-expression-bg)',
    borderRadius: '3px',
    color: 'var(--cm-expression)',
  },
  '.cm-n8n-braces': { fontWeight: '700' },
  '.cm-tooltip': { backgroundColor: 'var(--panel-raised)', color: 'var(--text)', border: '1px solid var(--border)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 25%, transparent) !important',
  },
  '.cm-foldPlaceholder': { backgroundColor: 'var(--bg)', color: 'var(--muted)', border: '1px solid var(--border)' },
});

/**
 * A CodeMirror 6 JSON editor: syntax errors underlined as you type (lint), folding, bracket
 * matching, search, undo of its own. The parent owns the text; a new `value` from outside (a
 * reset, an undo on the canvas) replaces the document.
 */
export function JsonEditor(props: {
  value: string;
  onChange(text: string): void;
  /** The accessible name of the editable area. */
  label: string;
  invalid?: boolean;
  readOnly?: boolean;
  testId?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    if (!host.current) return;
    const attributes: Record<string, string> = { 'aria-label': props.label };
    if (props.testId) attributes['data-testid'] = props.testId;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          basicSetup,
          json(),
          linter(jsonParseLinter(), { delay: 150 }),
          lintGutter(),
          syntaxHighlighting(highlight),
          marker(expressionMarks),
          marker(braceMarks),
          theme,
          EditorView.lineWrapping,
          EditorView.contentAttributes.of(attributes),
          EditorState.readOnly.of(props.readOnly ?? false),
          EditorView.editable.of(!props.readOnly),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is built once per mount; text from outside arrives through the effect below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.value]);

  return (
    <div
      ref={host}
      className={styles.editor}
      data-invalid={props.invalid ? 'true' : undefined}
      data-testid={props.testId ? `${props.testId}-box` : undefined}
    />
  );
}
