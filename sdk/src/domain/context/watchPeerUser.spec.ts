import { afterEach, describe, expect, test, vi } from 'vitest';
import type { UserContext } from '../../../schema';
import { watchPeerUser } from './watchPeerUser';

afterEach(() => vi.useRealTimers());

function rumUser() {
  let user: UserContext | null = null;
  return { getUser: () => ({ ...user }), setUser: (next: UserContext) => void (user = { ...next }), get user() { return user; } };
}

describe('watchPeerUser', () => {
  test("adopts the page's Datadog user, follows its changes, and never overrides a user set on window.rumscope", () => {
    vi.useFakeTimers();
    const win: Record<string, unknown> = {};
    const rum = rumUser();
    let ddUser: UserContext = {};
    win.DD_RUM = { getUser: () => ({ ...ddUser }) };
    const watcher = watchPeerUser(rum, win as unknown as Window, 100);
    vi.advanceTimersByTime(100);
    expect(rum.user).toBeNull();
    ddUser = { id: 'u-1', email: 'a@example.com' };
    vi.advanceTimersByTime(100);
    expect(rum.user).toEqual({ id: 'u-1', email: 'a@example.com' });
    ddUser = { id: 'u-2' };
    vi.advanceTimersByTime(100);
    expect(rum.user).toEqual({ id: 'u-2' });
    rum.setUser({ id: 'own' });
    ddUser = { id: 'u-3' };
    vi.advanceTimersByTime(500);
    expect(rum.user).toEqual({ id: 'own' });
    watcher.stop();
  });

  test('a peer whose getUser throws breaks nothing', () => {
    vi.useFakeTimers();
    const rum = rumUser();
    const win = { openobserveRum: { getUser: () => { throw new Error('odd'); } } };
    const watcher = watchPeerUser(rum, win as unknown as Window, 100);
    expect(() => vi.advanceTimersByTime(300)).not.toThrow();
    expect(rum.user).toBeNull();
    watcher.stop();
  });
});
