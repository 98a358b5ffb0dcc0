/** Secret names and the in-memory seam that other layers' tests use. */
import { describe, expect, it } from 'vitest';
import { memorySecretStore, validateSecretName } from '../../src/secrets/index.js';

describe('validateSecretName', () => {
  it.each([
    'a',
    'Z9',
    'github-app/private-key',
    'aws:prod.base_keys',
    'jwt.signing-key',
    `a${'b'.repeat(127)}`,
  ])('accepts %j', (name) => {
    expect(() => validateSecretName(name)).not.toThrow();
  });

  it.each([
    ['empty', ''],
    ['leading dot', '.hidden'],
    ['leading dash', '-flag'],
    ['leading slash', '/abs'],
    ['leading underscore', '_x'],
    ['space', 'a b'],
    ['trailing newline', 'a\n'],
    ['control char', 'a\u0000b'],
    ['non-ascii', 'clé'],
    ['equals', 'a=b'],
    ['too long', `a${'b'.repeat(128)}`],
  ])('rejects %s', (_, name) => {
    expect(() => validateSecretName(name)).toThrow(
      expect.objectContaining({ code: 'ERR_SECRETS_INVALID_NAME' }),
    );
  });
});

describe('memorySecretStore', () => {
  it('behaves like the real stores', async () => {
    const store = memorySecretStore();
    expect(store.backend).toBe('memory');
    await store.set('b', '2');
    await store.set('a', '1');
    expect(await store.get('a')).toBe('1');
    expect(await store.get('c')).toBeUndefined();
    expect(await store.list()).toEqual(['a', 'b']);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.list()).toEqual(['b']);
  });

  it('validates names on every operation', async () => {
    const store = memorySecretStore();
    const invalid = { code: 'ERR_SECRETS_INVALID_NAME' };
    await expect(store.get('../x')).rejects.toMatchObject(invalid);
    await expect(store.set(' x', 'v')).rejects.toMatchObject(invalid);
    await expect(store.delete('')).rejects.toMatchObject(invalid);
  });
});
