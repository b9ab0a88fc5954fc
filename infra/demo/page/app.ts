import encodeQR from 'qr';
import { passkeyFailure, toJson } from './webauthn';

/**
 * The demo page: plain DOM code talking to the demo server's JSON API (never to Verify directly: the
 * account's credentials stay on the server, as on any integrator's site).
 */

interface Factor {
  sid: string;
  type: string;
  name: string;
  status: string;
}

interface Push {
  identity: string;
  sid: string;
  status: string;
  expirationDate: string;
}

interface State {
  identity: string | null;
  factors: Factor[];
  push: Push | null;
}

interface BusEvent {
  time: string;
  type: string;
  factorType: string | null;
  identity: string | null;
  sid: string | null;
  status: string | null;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}`);
  return element as T;
};
const input = (id: string) => $<HTMLInputElement>(id);

class ApiError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
  }
}

async function api<T = Record<string, unknown>>(path: string, body?: object): Promise<T> {
  const response = await fetch(path, {
    method: body ? 'POST' : 'GET',
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new ApiError(String(json.message ?? `HTTP ${response.status}`), (json.code as number) ?? null);
  }
  return json as T;
}

function showError(error: unknown) {
  const box = $('error');
  const message =
    error instanceof ApiError
      ? `${error.message}${error.code ? ` (Verify error ${error.code})` : ''}`
      : passkeyFailure(error);
  box.textContent = message;
  box.hidden = false;
  $('notice').hidden = true;
}

function notify(message: string) {
  $('notice').textContent = message;
  $('notice').hidden = false;
  $('error').hidden = true;
}

/** Runs a button's action with the button disabled, showing its failure. */
async function act(button: HTMLButtonElement | null, action: () => Promise<void>) {
  if (button) button.disabled = true;
  $('error').hidden = true;
  $('notice').hidden = true;
  try {
    await action();
  } catch (error) {
    showError(error);
  } finally {
    if (button) button.disabled = false;
  }
}

let state: State = { identity: null, factors: [], push: null };

function render() {
  const signedIn = state.identity !== null;
  $('who').textContent = signedIn ? `Signed in as ${state.identity}` : 'Not signed in';
  $('signout').hidden = !signedIn;
  $('signup-section').hidden = signedIn;
  $('signin-section').hidden = signedIn;
  $('account-section').hidden = !signedIn;
  const rows = state.factors.map((factor) => {
    const row = document.createElement('tr');
    row.dataset.type = factor.type;
    row.dataset.status = factor.status;
    for (const text of [factor.type, factor.name, factor.status, factor.sid]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  });
  $('factors')
    .querySelector('tbody')!
    .replaceChildren(...rows);
  $('no-factors').hidden = state.factors.some((f) => f.status === 'verified');
  if (signedIn) {
    // A setup card stays open until its factor is verified.
    if (state.factors.some((f) => f.type === 'push' && f.status === 'verified'))
      $('push-setup').hidden = true;
  }
}

async function refresh() {
  state = await api<State>('/api/state');
  render();
}

/** The pending push sign-in, and what its status means for the visitor. */
function renderPush(push: Push) {
  $('push-pending').hidden = false;
  $('push-sid').textContent = push.sid;
  $('push-identity').textContent = push.identity;
  $('push-status').textContent = push.status;
  $('push-pending').dataset.status = push.status;
  const left = Math.max(0, Math.round((Date.parse(push.expirationDate) - Date.now()) / 1000));
  $('push-expiry').textContent = push.status === 'pending' ? `(expires in ${left} s)` : '';
  if (push.status === 'approved') {
    $('push-pending').hidden = true;
    refresh()
      .then(() => notify(`Approved on the device: signed in as ${push.identity}.`))
      .catch(showError);
  } else if (push.status === 'denied') {
    showError(new ApiError('The device denied the sign-in.', null));
  } else if (push.status === 'expired') {
    showError(
      new ApiError('The challenge expired before the device answered. Start signing in again.', null),
    );
  }
}

function renderEvents(file: string, events: BusEvent[]) {
  $('events-file').textContent = file;
  const items = events.map((event) => {
    const item = document.createElement('li');
    const type = document.createElement('span');
    type.className = 'type';
    type.textContent = event.type;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = [event.time.slice(11, 19), event.factorType, event.identity, event.status, event.sid]
      .filter(Boolean)
      .join(' · ');
    item.append(type, meta);
    return item;
  });
  if (items.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'meta';
    empty.textContent = 'No events yet (they appear when npm start runs the service locally).';
    items.push(empty);
  }
  $('events').replaceChildren(...items);
}

/** Server-sent events: the bus panel, and the pending push sign-in's status. */
function connectLive() {
  const source = new EventSource('/api/live');
  source.addEventListener('events', (message) => {
    const { file, events } = JSON.parse((message as MessageEvent<string>).data) as {
      file: string;
      events: BusEvent[];
    };
    renderEvents(file, events);
    // A device enrolled from the terminal shows up here as soon as its factor.verified event does.
    if (state.identity !== null && events.some((e) => e.identity === state.identity)) {
      void refresh().catch(showError);
    }
  });
  source.addEventListener('push', (message) =>
    renderPush(JSON.parse((message as MessageEvent<string>).data) as Push),
  );
  source.addEventListener('failure', (message) => {
    showError(
      new ApiError((JSON.parse((message as MessageEvent<string>).data) as { message: string }).message, null),
    );
  });
}

function passkeysAvailable() {
  if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
    throw new Error(
      'This browser cannot use passkeys from JSON options: use a current Chromium, Firefox or Safari.',
    );
  }
}

function wire() {
  $('signup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void act(null, async () => {
      const { identity } = await api<{ identity: string }>('/api/signup', {
        identity: input('signup-identity').value,
      });
      await refresh();
      notify(`Welcome, ${identity}. Add an authenticator to be able to sign in again.`);
    });
  });

  $('signout').addEventListener('click', () =>
    act($('signout') as HTMLButtonElement, async () => {
      await api('/api/signout', {});
      await refresh();
      notify('Signed out.');
    }),
  );

  $('add-passkey').addEventListener('click', (event) =>
    act(event.currentTarget as HTMLButtonElement, async () => {
      passkeysAvailable();
      const { publicKey } = await api<{ publicKey: PublicKeyCredentialCreationOptionsJSON }>(
        '/api/passkey/options',
        {},
      );
      const credential = await navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(publicKey),
      });
      await api('/api/passkey/register', { credential: toJson(credential) });
      await refresh();
      notify('Passkey added: you can sign in with it.');
    }),
  );

  $('add-totp').addEventListener('click', (event) =>
    act(event.currentTarget as HTMLButtonElement, async () => {
      const { factorSid, uri } = await api<{ factorSid: string; uri: string }>('/api/totp/start', {});
      const svg = encodeQR(uri, 'svg', { ecc: 'medium', border: 2 });
      $<HTMLImageElement>('totp-qr').src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
      $('totp-uri').textContent = uri;
      $('totp-setup').dataset.factorSid = factorSid;
      $('totp-setup').hidden = false;
      input('totp-code').value = '';
      input('totp-code').focus();
    }),
  );

  $('totp-verify-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void act(null, async () => {
      await api('/api/totp/verify', {
        factorSid: $('totp-setup').dataset.factorSid,
        code: input('totp-code').value,
      });
      $('totp-setup').hidden = true;
      await refresh();
      notify('Authenticator app added: you can sign in with its codes.');
    });
  });

  $('add-push').addEventListener('click', (event) =>
    act(event.currentTarget as HTMLButtonElement, async () => {
      const { commands } = await api<{ commands: string[] }>('/api/push/start', {});
      $('push-commands').textContent = commands.join('\n\n');
      $('push-setup').hidden = false;
    }),
  );

  $('signin-passkey').addEventListener('click', (event) =>
    act(event.currentTarget as HTMLButtonElement, async () => {
      passkeysAvailable();
      const identity = input('signin-identity').value.trim();
      const { publicKey } = await api<{ publicKey: PublicKeyCredentialRequestOptionsJSON }>(
        '/api/signin/passkey/options',
        identity ? { identity } : {},
      );
      const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(publicKey),
      });
      const signedIn = await api<{ identity: string }>('/api/signin/passkey', {
        credential: toJson(credential),
      });
      await refresh();
      notify(`Signed in with a passkey as ${signedIn.identity}.`);
    }),
  );

  $('signin-totp-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void act(null, async () => {
      const signedIn = await api<{ identity: string }>('/api/signin/totp', {
        identity: input('signin-identity').value,
        code: input('signin-code').value,
      });
      await refresh();
      notify(`Signed in with a TOTP code as ${signedIn.identity}.`);
    });
  });

  $('signin-push').addEventListener('click', (event) =>
    act(event.currentTarget as HTMLButtonElement, async () => {
      const { push, commands } = await api<{ push: Push; commands: string[] }>('/api/signin/push', {
        identity: input('signin-identity').value,
      });
      $('push-command').textContent = commands.join('\n');
      notify(`Sent to ${push.identity}'s device: waiting for its answer.`);
      renderPush(push);
    }),
  );
}

wire();
connectLive();
refresh().catch(showError);
