import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from '../../../shared/channel.js';

describe('parseClientMessage', () => {
  it('accepts a well-formed call and defaults the input', () => {
    expect(parseClientMessage('{"type":"call","id":3,"name":"app.info"}')).toEqual({ type: 'call', id: 3, name: 'app.info', input: {} });
  });
  it('accepts a call with its input and passes the input on unchanged', () => {
    expect(parseClientMessage('{"type":"call","id":4,"name":"release.plan","input":{"env":"prod","n":[1]}}')).toEqual({
      type: 'call',
      id: 4,
      name: 'release.plan',
      input: { env: 'prod', n: [1] },
    });
  });
  it('rejects what is not a call, with the reason', () => {
    expect(parseClientMessage('nope')).toEqual({ error: 'message is not valid JSON' });
    expect(parseClientMessage('[1]')).toEqual({ error: 'message must be a JSON object' });
    for (const scalar of ['5', '"call"', 'true', 'null', '0']) expect(parseClientMessage(scalar)).toEqual({ error: 'message must be a JSON object' });
    expect(parseClientMessage('{"type":"call","id":1,"name":"a","x":1}')).toEqual({ error: 'unknown field(s): x' });
    expect(parseClientMessage('{"type":"call","id":-1,"name":"a"}')).toMatchObject({ error: expect.stringContaining('id') });
    expect(parseClientMessage('{"type":"call","id":"1","name":"a"}')).toEqual({ error: 'id must be a non-negative integer' });
    expect(parseClientMessage(`{"type":"call","id":1,"name":"${'a'.repeat(200)}"}`)).toMatchObject({ error: expect.stringContaining('128') });
  });

  it('allows names of 1 to 128 characters and lists at most five unknown fields', () => {
    expect(parseClientMessage(`{"type":"call","id":1,"name":"${'a'.repeat(128)}"}`)).toMatchObject({ name: 'a'.repeat(128) });
    expect(parseClientMessage(`{"type":"call","id":1,"name":"${'a'.repeat(129)}"}`)).toEqual({ error: 'name must be a command name of at most 128 characters' });
    expect(parseClientMessage('{"type":"call","id":1,"name":""}')).toEqual({ error: 'name must be a command name of at most 128 characters' });
    expect(parseClientMessage('{"type":"call","id":1,"name":7}')).toEqual({ error: 'name must be a command name of at most 128 characters' });
    expect(parseClientMessage('{"type":"call","id":1,"name":"a","u1":0,"u2":0,"u3":0,"u4":0,"u5":0,"u6":0}')).toEqual({
      error: 'unknown field(s): u1, u2, u3, u4, u5',
    });
    expect(parseClientMessage('{"type":"result","id":1,"name":"a"}')).toEqual({ error: 'type must be "call"' });
  });

  it('accepts only safe integers as call ids (a fraction or a huge number cannot be matched to its answer)', () => {
    for (const id of ['1.5', '1e300', '9007199254740992']) {
      expect(parseClientMessage(`{"type":"call","id":${id},"name":"a"}`)).toEqual({ error: 'id must be a non-negative integer' });
    }
    expect(parseClientMessage('{"type":"call","id":9007199254740991,"name":"a"}')).toMatchObject({ id: Number.MAX_SAFE_INTEGER });
    expect(parseClientMessage('{"type":"call","id":0,"name":"a"}')).toMatchObject({ id: 0 });
  });
});

describe('parseServerMessage', () => {
  it('reads results, events and errors', () => {
    expect(parseServerMessage('{"type":"result","id":1,"result":{"ok":true,"output":2}}')).toEqual({
      type: 'result',
      id: 1,
      result: { ok: true, output: 2 },
    });
    expect(parseServerMessage('{"type":"event","name":"job.progress","payload":{"a":1}}')).toEqual({
      type: 'event',
      name: 'job.progress',
      payload: { a: 1 },
    });
    expect(parseServerMessage('{"type":"error","error":{"code":"BAD_MESSAGE","message":"x"}}')).toEqual({
      type: 'error',
      error: { code: 'BAD_MESSAGE', message: 'x' },
    });
  });
  it('settles a malformed result as INTERNAL and maps unknown error codes to INTERNAL', () => {
    expect(parseServerMessage('{"type":"result","id":7,"result":"?"}')).toMatchObject({
      id: 7,
      result: { ok: false, error: { code: 'INTERNAL' } },
    });
    expect(parseServerMessage('{"type":"error","error":{"code":"WAT"}}')).toEqual({ type: 'error', error: { code: 'INTERNAL', message: 'Unknown server error' } });
    expect(parseServerMessage('{"type":"result","id":8,"result":{"ok":"yes"}}')).toEqual({
      type: 'result',
      id: 8,
      result: { ok: false, error: { code: 'INTERNAL', message: 'The Convoy server sent a malformed result' } },
    });
    expect(parseServerMessage('{"type":"result","id":9,"result":null}')).toMatchObject({ id: 9, result: { ok: false } });
  });
  it('ignores anything else', () => {
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage('{"type":"other"}')).toBeNull();
    expect(parseServerMessage('null')).toBeNull();
    expect(parseServerMessage('"text"')).toBeNull();
    expect(parseServerMessage('{"type":"result","id":"1","result":{"ok":true}}')).toBeNull();
    expect(parseServerMessage('{"id":1,"result":{"ok":true}}')).toBeNull();
    expect(parseServerMessage('{"type":"event","name":1}')).toBeNull();
    expect(parseServerMessage('{"name":"job.done"}')).toBeNull();
    expect(parseServerMessage('{"type":"error","error":"boom"}')).toBeNull();
    expect(parseServerMessage('{"type":"error","error":null}')).toBeNull();
    expect(parseServerMessage('{"error":{"code":"INTERNAL","message":"x"}}')).toBeNull();
  });
});
