/** A button that runs an operator action (a callable) and says how it went beside it. */
import type { ActionAnswer } from '../firebase/callables';
import { errorText, fill, h, notice } from './dom';

/** A button that runs an operator action and says how it went next to it. */
export function actionButton(
  label: string,
  run: () => Promise<ActionAnswer>,
  message: HTMLElement,
  cls: string,
): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      class: cls,
      onclick: (e) => {
        const button = e.currentTarget as HTMLButtonElement;
        button.disabled = true;
        fill(message, notice('info', `${label}…`));
        run().then(
          (r) => fill(message, notice('ok', `${label}: done (the ${r.kind} was ${r.from}).`)),
          (err: unknown) => {
            button.disabled = false;
            fill(message, notice('error', `${label} refused: ${errorText(err)}`));
          },
        );
      },
    },
    label,
  );
}
