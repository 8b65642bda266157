/**
 * Send a test push to a user (every device) or one token. The preview shows it as Android and
 * iOS would, with the systems' line limits applied by the browser's own text layout. "Validate"
 * asks FCM with validate_only (nothing is delivered or stored); "Send" queues it through the
 * normal queue path, and its page opens so it can be watched.
 */
import { LAYOUTS, previewWarnings, type PlatformLayout } from '../data/preview';
import { operatorTestSend, type TestSendInput } from '../firebase/callables';
import type { Services } from '../firebase/services';
import { pushHash } from '../route';
import { errorText, fill, h, notice, type Page } from '../ui/dom';

export function sendPage(services: Services): Page {
  const kind = h(
    'select',
    { name: 'kind' },
    h('option', { value: 'uid' }, 'user (uid)'),
    h('option', { value: 'token' }, 'device token'),
  );
  const to = h('input', { name: 'to', placeholder: 'uid or token', required: true });
  const title = h('input', { name: 'title', placeholder: 'Title', value: 'Test push' });
  const content = h(
    'textarea',
    { name: 'content', rows: 3, placeholder: 'Body' },
    'Sent from the push console.',
  );
  const image = h('input', { name: 'image', placeholder: 'https://… (optional image)' });
  const preview = h('div', { class: 'previews' });
  const message = h('div', {});
  const sendButton = h('button', { type: 'button', disabled: true, class: 'primary' }, 'Send');

  const input = (validateOnly: boolean): TestSendInput => {
    const v = to.value.trim();
    return {
      to: kind.value === 'token' ? { token: v } : { uid: v },
      ...(title.value.trim() ? { title: title.value.trim() } : {}),
      ...(content.value.trim() ? { content: content.value.trim() } : {}),
      ...(image.value.trim() ? { image: image.value.trim() } : {}),
      validateOnly,
    };
  };
  // Anything edited after a validation needs validating again before it can be sent.
  let validated = '';
  const renderPreview = () => {
    fill(preview, ...LAYOUTS.map((p) => phone(p, title.value, content.value, image.value)));
    const warnings = previewWarnings(title.value, content.value);
    if (warnings.length)
      preview.append(
        h(
          'ul',
          { class: 'warnings' },
          warnings.map((w) => h('li', {}, w)),
        ),
      );
    sendButton.disabled = validated !== JSON.stringify(input(false));
  };
  for (const field of [kind, to, title, content, image])
    field.addEventListener('input', renderPreview);

  const validateButton = h(
    'button',
    {
      type: 'submit',
      onclick: undefined,
    },
    'Validate',
  );
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: (e) => {
        e.preventDefault();
        validateButton.disabled = true;
        const attempt = JSON.stringify(input(false));
        fill(message, notice('info', 'Asking FCM to validate (validate_only)…'));
        operatorTestSend(services, input(true))
          .then((r) => {
            if (!r.validateOnly) return;
            const bad = r.devices.filter((d) => !d.ok);
            if (!r.devices.length) fill(message, notice('error', 'No device to send to.'));
            else if (bad.length) {
              fill(
                message,
                notice('error', `FCM refused ${bad.length} of ${r.devices.length} device(s):`),
                h(
                  'ul',
                  {},
                  bad.map((d) => h('li', {}, `${d.token}: ${d.code ?? ''} ${d.message ?? ''}`)),
                ),
              );
            } else {
              validated = attempt;
              fill(
                message,
                notice(
                  'ok',
                  `Valid for ${r.devices.length} device(s): ${r.devices.map((d) => d.token).join(', ')}. Send it?`,
                ),
              );
            }
            renderPreview();
          })
          .catch((err: unknown) =>
            fill(message, notice('error', `Validation failed: ${errorText(err)}`)),
          )
          .finally(() => (validateButton.disabled = false));
      },
    },
    h('label', {}, 'To ', kind, to),
    h('label', {}, 'Title', title),
    h('label', {}, 'Body', content),
    h('label', {}, 'Image', image),
    h('div', { class: 'actions' }, validateButton, sendButton),
    message,
  );
  sendButton.addEventListener('click', () => {
    sendButton.disabled = true;
    fill(message, notice('info', 'Queueing…'));
    operatorTestSend(services, input(false)).then(
      (r) => {
        if (r.validateOnly) return;
        validated = '';
        location.hash = pushHash(r.id);
      },
      (err: unknown) => {
        sendButton.disabled = false;
        fill(message, notice('error', `Send failed: ${errorText(err)}`));
      },
    );
  });
  renderPreview();

  const el = h(
    'section',
    { id: 'send' },
    h('h1', {}, 'Send a test push'),
    h('div', { class: 'grid' }, form, h('div', {}, h('h2', {}, 'Preview'), preview)),
  );
  return { el, dispose: () => undefined };
}

/** A notification as one platform lays it out: its line clamps come from the layout. */
function phone(p: PlatformLayout, title: string, body: string, image: string): HTMLElement {
  const clamp = (lines: number) => `-webkit-line-clamp: ${lines}; line-clamp: ${lines}`;
  return h(
    'figure',
    { class: `phone ${p.name.toLowerCase()}` },
    h('figcaption', {}, p.name),
    h(
      'div',
      { class: 'notification' },
      h('div', { class: 'app' }, p.name === 'iOS' ? 'YOUR APP · now' : 'Your app · now'),
      h(
        'div',
        { class: 'row' },
        h(
          'div',
          { class: 'text' },
          h('div', { class: 'title clamp', style: clamp(p.titleLines) }, title || ' '),
          h('div', { class: 'body clamp', style: clamp(p.bodyLines) }, body || ' '),
        ),
        image
          ? h('img', { src: image, alt: '', class: 'thumb', referrerpolicy: 'no-referrer' })
          : null,
      ),
    ),
    h('p', { class: 'muted small' }, `Image: ${p.image}.`),
  );
}
