/**
 * The team dashboard: the same Sessions panel as the extension's, over the server's read API. Without a
 * login session it shows a login form first.
 */
import { mount } from 'svelte';
import App from '../../panel/App.svelte';
import { SERVER_ROUTES, type ApiError, type MeResponse } from '../../sdk/schema';
import { createHttpSessionSource } from './httpSessionSource';
import '../../panel/panel.css';

const target = document.getElementById('app');
if (!target) throw new Error('Rumscope dashboard: #app is missing');

function showLogin(root: HTMLElement): void {
  root.innerHTML = `
    <form class="rs-login" style="max-width:22rem;margin:4rem auto;display:grid;gap:.75rem;font:14px system-ui">
      <h1 style="font-size:1.25rem;margin:0">Rumscope team sessions</h1>
      <label>Email <input name="email" type="email" autocomplete="username" required style="width:100%"></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required style="width:100%"></label>
      <button type="submit">Log in</button>
      <p role="alert" class="rs-login-error" style="color:#b00020;margin:0"></p>
    </form>`;
  const form = root.querySelector('form')!;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    void fetch(SERVER_ROUTES.login, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: data.get('email'), password: data.get('password') }),
    }).then(async (response) => {
      if (response.ok) return location.reload();
      const body = (await response.json().catch(() => null)) as ApiError | null;
      root.querySelector('.rs-login-error')!.textContent = body?.message ?? `login failed (${response.status})`;
    });
  });
}

const me = await fetch(SERVER_ROUTES.me, { credentials: 'same-origin' });
if (me.status === 401) {
  showLogin(target);
} else {
  const { user } = (await me.json()) as MeResponse;
  document.title = `Rumscope team sessions — ${user.email}`;
  mount(App, { target, props: { source: createHttpSessionSource(), tabId: null } });
}
