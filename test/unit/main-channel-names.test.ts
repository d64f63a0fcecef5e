import { describe, expect, it } from 'vitest';
import { channels, pushEvents } from '../../electron/shared/contract';
import { channelNames, pushChannelOf, pushEventNames } from '../../electron/shared/channel-names';

describe('channel names for the preload', () => {
  it('lists exactly the contract channels, in the same order', () => {
    expect([...channelNames]).toEqual(channels);
  });

  it('lists exactly the contract push events', () => {
    expect([...pushEventNames]).toEqual(pushEvents);
  });

  it('sends push events on channels no contract channel can take', () => {
    const pushChannels = pushEventNames.map(pushChannelOf);
    expect(new Set(pushChannels).size).toBe(pushEventNames.length);
    for (const channel of pushChannels) expect(channels as string[]).not.toContain(channel);
    expect(pushChannelOf('proxy:changed')).toBe('keygate-push:proxy:changed');
  });
});
