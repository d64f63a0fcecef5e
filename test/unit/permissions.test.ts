import { describe, expect, it } from 'vitest';
import { allowsMethod, groupsAt, parsePermissions, suggestedPermissions, unrestrictedPermissions } from '../../electron/shared/permissions';
import { PermissionsSchema } from '../../electron/shared/schemas';

describe('permissions', () => {
  it('reads GET as read and every other method as write, per mode', () => {
    const restricted = { ...suggestedPermissions() };
    expect(allowsMethod(restricted, 'models', 'GET')).toBe(true);
    expect(allowsMethod(restricted, 'models', 'DELETE')).toBe(false);
    expect(allowsMethod(restricted, 'chat_completions', 'POST')).toBe(true);
    expect(allowsMethod(restricted, 'files', 'GET')).toBe(false);
    const readOnly = { ...unrestrictedPermissions(), mode: 'read_only' as const, groups: groupsAt('write') };
    expect(allowsMethod(readOnly, 'files', 'GET')).toBe(true);
    expect(allowsMethod(readOnly, 'files', 'POST')).toBe(false);
    expect(allowsMethod(unrestrictedPermissions(), 'files', 'DELETE')).toBe(true);
  });

  it('reads a corrupt stored value as a key that may do nothing', () => {
    for (const stored of [null, 'all', { mode: 'everything' }, []]) {
      const read = parsePermissions(stored);
      expect(read.mode).toBe('restricted');
      expect(Object.values(read.groups).every((level) => level === 'none')).toBe(true);
    }
    expect(parsePermissions({ mode: 'restricted', groups: { files: 'write', billing: 'write', models: 'admin' } }).groups).toMatchObject({ files: 'write', models: 'none' });
  });

  it('fills left-out groups with none and refuses unknown groups, levels and modes', () => {
    const parsed = PermissionsSchema.parse({ mode: 'restricted', groups: { files: 'read' } });
    expect(parsed).toEqual({ mode: 'restricted', groups: { ...groupsAt('none'), files: 'read' }, mintCredentials: false, shareProjectObjects: false });
    expect(PermissionsSchema.safeParse({ mode: 'restricted', groups: { billing: 'read' } }).success).toBe(false);
    expect(PermissionsSchema.safeParse({ mode: 'restricted', groups: { files: 'admin' } }).success).toBe(false);
    expect(PermissionsSchema.safeParse({ mode: 'some' }).success).toBe(false);
  });
});
