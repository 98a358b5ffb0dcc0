/** The requests waiting for the server: keyed by JSON-RPC id as sent, drained, and awaited. */
import { describe, expect, it } from 'vitest';
import { PendingRequests } from '../../src/mcp/pending.js';

describe('PendingRequests', () => {
  it('keeps ids 1 and "1" apart, and settles each once', () => {
    const pending = new PendingRequests();
    pending.add(1, { method: 'tools/list' });
    pending.add('1', { method: 'prompts/list' });
    expect(pending.settle('1')).toEqual({ method: 'prompts/list' });
    expect(pending.settle('1')).toBeUndefined();
    expect(pending.size).toBe(1);
    expect(pending.settle(1)).toEqual({ method: 'tools/list' });
  });

  it('drains every request with its id and wakes whoever waits for none to be left', async () => {
    const pending = new PendingRequests();
    let woken = false;
    await pending.empty();
    pending.add('a', { method: 'tools/call' });
    pending.add(2, { method: 'tools/list' });
    const empty = pending.empty().then(() => {
      woken = true;
    });
    pending.settle('a');
    await Promise.resolve();
    expect(woken).toBe(false);
    expect(pending.drain()).toEqual([[2, { method: 'tools/list' }]]);
    await empty;
    expect(woken).toBe(true);
    expect(pending.size).toBe(0);
  });
});
