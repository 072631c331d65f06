import type { AppContext, JsonValue, UserContext } from '../../../schema';
import { toJson, toJsonObject } from '../../tools/toJson';

/**
 * User, global and app context, as the app sets them through the public API (before or after init).
 * Values are copied to plain JSON as they come in, so what is sent is what was set at that moment.
 */
export function createRumContexts() {
  let user: UserContext | null = null;
  let global: Record<string, JsonValue> = {};
  const app: AppContext = { service: null, env: null, version: null };
  let listener: () => void = () => {};
  const changed = () => listener();
  return {
    onChange(next: () => void) {
      listener = next;
    },
    get user() {
      return user;
    },
    get global() {
      return global;
    },
    app,
    setUser(next: unknown) {
      const json = toJsonObject(next);
      user = json && { ...json, ...(json.id !== undefined && json.id !== null && { id: String(json.id) }) };
      changed();
    },
    setUserProperty(key: string, value: unknown) {
      const json = toJson(value);
      user = { ...user, [key]: json ?? null };
      changed();
    },
    removeUserProperty(key: string) {
      if (!user) return;
      const { [key]: _removed, ...rest } = user;
      user = rest;
      changed();
    },
    setGlobal(next: unknown) {
      global = toJsonObject(next) ?? {};
      changed();
    },
    setGlobalProperty(key: string, value: unknown) {
      global = { ...global, [key]: toJson(value) };
      changed();
    },
    removeGlobalProperty(key: string) {
      const { [key]: _removed, ...rest } = global;
      global = rest;
      changed();
    },
    setApp(next: Partial<AppContext>) {
      for (const key of ['service', 'env', 'version'] as const) if (next[key] != null) app[key] = String(next[key]).slice(0, 200);
      changed();
    },
  };
}

export type RumContexts = ReturnType<typeof createRumContexts>;
