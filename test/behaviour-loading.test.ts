import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BehaviourLoadError, ConfigError, registerBehaviour, registeredBehaviours, SimSystem, UnknownBehaviourError, type LinkModel } from '../src/index.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/loading-behaviours.ts', import.meta.url));
const FIXED: LinkModel = { latency: { kind: 'fixed', ms: 1 } };

registerBehaviour('load-registered', { init: () => 0, receive: (n: number) => n + 1 });

async function newSim() {
  const sim = new SimSystem({ seed: 1, link: FIXED, keepTrace: true });
  await sim.spawn('echo', 'echo');
  return sim;
}

async function expectAlive(sim: SimSystem) {
  expect((await sim.ask('echo', { kind: 'ping', body: 'ok' }, { timeoutMs: 100 })).body).toBe('ok');
}

async function spawnError(sim: SimSystem, id: string, ref: Parameters<SimSystem['spawn']>[1]): Promise<unknown> {
  return sim.spawn(id, ref).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('behaviour loading', () => {
  it('an unknown behaviour id rejects with UnknownBehaviourError listing the known ids', async () => {
    const sim = await newSim();
    const err = await spawnError(sim, 'x', 'no-such-behaviour');
    expect(err).toBeInstanceOf(UnknownBehaviourError);
    const message = (err as Error).message;
    expect(message).toContain('"no-such-behaviour"');
    for (const id of ['counter', 'echo', 'sink', 'load-registered']) expect(message).toContain(id);
    expect(message).toContain(registeredBehaviours().join(', '));
    expect((err as UnknownBehaviourError).code).toBe('unknown-behaviour');
    expect(sim.result().actors).toBe(1);
    await expectAlive(sim);
  });

  it('a registered id spawns and runs', async () => {
    const sim = await newSim();
    expect(registeredBehaviours()).toContain('load-registered');
    await sim.spawn('r', 'load-registered');
    sim.send('r', { kind: 'anything' });
    await sim.settle();
    expect(await sim.snapshot('r')).toBe(1);
  });

  it('{ module: absolute path, export } loads and runs the exported behaviour', async () => {
    const sim = await newSim();
    await sim.spawn('g', { module: FIXTURE, export: 'greeter' });
    const reply = await sim.ask('g', { kind: 'greet', body: 'world' }, { timeoutMs: 100 });
    expect(reply.body).toBe('hello, world');
    expect(await sim.snapshot('g')).toEqual({ greeted: 1 });
    const spawn = sim.recorder.events.find((e) => e.type === 'spawn' && e.actor === 'g');
    expect(spawn).toMatchObject({ behaviour: `${FIXTURE}#greeter` });
  });

  it('a file: URL module reference also loads', async () => {
    const sim = await newSim();
    await sim.spawn('g', { module: pathToFileURL(FIXTURE).href, export: 'greeter' });
    expect((await sim.ask('g', { kind: 'greet', body: 'url' }, { timeoutMs: 100 })).body).toBe('hello, url');
  });

  it('a module path that does not exist rejects with BehaviourLoadError naming the path', async () => {
    const sim = await newSim();
    const missing = FIXTURE.replace('loading-behaviours.ts', 'does-not-exist.ts');
    const err = await spawnError(sim, 'm', { module: missing, export: 'greeter' });
    expect(err).toBeInstanceOf(BehaviourLoadError);
    expect((err as Error).message).toContain(missing);
    expect((err as Error).message).toContain('import failed');
    expect((err as Error).cause).toBeDefined();
    await expect(sim.snapshot('m')).rejects.toThrow();
    await expectAlive(sim);
  });

  it('an export that is missing or not a behaviour rejects with BehaviourLoadError', async () => {
    const sim = await newSim();
    const noExport = await spawnError(sim, 'm1', { module: FIXTURE, export: 'nope' });
    expect(noExport).toBeInstanceOf(BehaviourLoadError);
    expect((noExport as Error).message).toContain('no export "nope"');
    expect((noExport as Error).message).toContain('greeter');

    for (const name of ['notABehaviour', 'halfABehaviour']) {
      const err = await spawnError(sim, 'm2', { module: FIXTURE, export: name });
      expect(err).toBeInstanceOf(BehaviourLoadError);
      expect((err as Error).message).toContain(`"${name}"`);
      expect((err as Error).message).toContain('the export is not a behaviour');
    }
    expect(sim.result().actors).toBe(1);
    await expectAlive(sim);
    // The id was not taken by the failed spawns.
    await sim.spawn('m2', { module: FIXTURE, export: 'greeter' });
    expect((await sim.ask('m2', { kind: 'greet', body: 2 }, { timeoutMs: 100 })).body).toBe('hello, 2');
  });

  it('a relative module path rejects with BehaviourLoadError (paths must be absolute)', async () => {
    const sim = await newSim();
    for (const rel of ['./test/fixtures/loading-behaviours.ts', 'fixtures/loading-behaviours.ts']) {
      const err = await spawnError(sim, 'rel', { module: rel, export: 'greeter' });
      expect(err).toBeInstanceOf(BehaviourLoadError);
      expect((err as Error).message).toContain(rel);
      expect((err as Error).message).toContain('absolute');
    }
    await expectAlive(sim);
  });

  it('a malformed behaviour reference rejects with ConfigError', async () => {
    const sim = await newSim();
    for (const bad of [42, '', null, { module: FIXTURE }, { export: 'greeter' }]) {
      const err = await spawnError(sim, 'bad', bad as never);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).path).toBe('spawn("bad").behaviour');
    }
    await expectAlive(sim);
  });

  it('registerBehaviour rejects a non-behaviour or an empty id with ConfigError', () => {
    expect(() => registerBehaviour('', { init: () => 0, receive: () => 0 })).toThrow(ConfigError);
    expect(() => registerBehaviour('load-bad', { init: () => 0 } as never)).toThrow(ConfigError);
    expect(registeredBehaviours()).not.toContain('load-bad');
  });
});
