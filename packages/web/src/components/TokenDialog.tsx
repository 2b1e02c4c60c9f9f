import { useEffect, useRef, useState, type FormEvent } from "react";
import type { TokenStore } from "../auth/TokenStore";

/** Asks for the API token when the API refused it (or the person chose "Set token"). */
export function TokenDialog({ tokens }: { tokens: TokenStore }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState("");

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const save = (event: FormEvent) => {
    event.preventDefault();
    tokens.answer(value);
  };

  return (
    <dialog
      ref={dialog}
      className="token-dialog"
      aria-labelledby="token-title"
      onClose={() => tokens.answer(undefined)}
    >
      <form onSubmit={save}>
        <h2 id="token-title">API token needed</h2>
        <p>
          This Amelia server asks for a token (its <code>AMELIA_API_TOKEN</code>). It stays in this
          browser only.
        </p>
        <label htmlFor="api-token">API token</label>
        <input
          id="api-token"
          type="password"
          autoComplete="off"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          autoFocus
        />
        <div className="buttons">
          <button type="submit" className="primary" disabled={!value.trim()}>
            Save token
          </button>
          <button type="button" onClick={() => tokens.answer(undefined)}>
            Not now
          </button>
        </div>
      </form>
    </dialog>
  );
}
