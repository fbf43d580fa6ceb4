// A minimal OpenClaw operator client on ONE WebSocket connection (the CLI opens a new one per call,
// which costs seconds and drops connection-bound state such as pending exec approvals).
//
//   node gateway-operator.mjs bench <url> <token> <nodeId> <command> <paramsJSON> <count>
//       → {"command","count","errors","medianMs","p99Ms","minMs","maxMs"} (round trip of node.invoke)
//   node gateway-operator.mjs approved-run <url> <token> <nodeId> <argvJSON> <cwd> [agentId] [decision] [swapFrom swapTo]
//       → the agent exec path without a model: system.run.prepare, exec.approval.request (two-phase),
//         exec.approval.resolve <decision> (allow-once), then system.run carrying the approval; prints every answer.
//         With swapFrom/swapTo, swapFrom is renamed over swapTo after the approval and before the run (issue 10's attack).
//   node gateway-operator.mjs soak <url> <token> <nodeId> <count>
//       → <count> invokes in a fixed mix (60 MB stdout floods, camera snaps, clips, which), one at a time;
//         prints {"count","errors":{command:n},"ms":{command:median}}.
import { randomUUID } from "node:crypto";
import { renameSync } from "node:fs";

const [mode, url, token, nodeId, ...rest] = process.argv.slice(2);
const ws = new WebSocket(url);
const pending = new Map();
let seq = 0;

function request(method, params) {
  const id = `${++seq}:${randomUUID()}`;
  ws.send(JSON.stringify({ type: "req", id, method, params }));
  return new Promise((resolve) => pending.set(id, resolve));
}

const connected = new Promise((resolve, reject) => {
  ws.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "event" && frame.event === "connect.challenge") {
      request("connect", {
        minProtocol: 4, maxProtocol: 4,
        client: { id: "cli", version: "2026.9.6", platform: "linux", deviceFamily: "Linux", mode: "cli", instanceId: randomUUID() },
        caps: mode === "bench" ? [] : ["exec-approvals", "approvals"], auth: { token }, role: "operator",
        scopes: ["operator.admin", "operator.write", "operator.read", "operator.approvals"],
      }).then((res) => (res.ok ? resolve() : reject(new Error(JSON.stringify(res.error)))));
    } else if (frame.type === "res" && pending.has(frame.id)) {
      const done = pending.get(frame.id);
      pending.delete(frame.id);
      done(frame);
    }
  };
  ws.onerror = (e) => reject(new Error(String(e.message ?? e)));
});

const invoke = (command, params, key) =>
  request("node.invoke", { nodeId, command, params, idempotencyKey: key ?? randomUUID(), timeoutMs: 20000 });

async function bench(command, paramsJSON, count) {
  const params = JSON.parse(paramsJSON);
  for (let i = 0; i < 10; i++) await invoke(command, params); // warm-up
  const ms = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    const res = await invoke(command, params);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (!res.ok) errors++;
  }
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  return { command, count, errors, medianMs: at(0.5), p99Ms: at(0.99), minMs: ms[0], maxMs: ms[ms.length - 1] };
}

async function approvedRun(argvJSON, cwd, agentId = "main", decision = "allow-once", swapFrom, swapTo) {
  const argv = JSON.parse(argvJSON);
  const out = {};
  const prepare = await invoke("system.run.prepare", { command: argv, cwd, agentId, sessionKey: `agent:${agentId}:main` });
  out.prepare = prepare;
  if (!prepare.ok) return out;
  const plan = (prepare.payload.payload ?? JSON.parse(prepare.payload.payloadJSON)).plan;
  const requested = await request("exec.approval.request", {
    command: plan.commandText, commandArgv: plan.argv, systemRunPlan: plan, cwd: plan.cwd, nodeId, host: "node",
    security: "allowlist",
    // The gateway offers allow-always only when the request's ask is not "always" (resolveExecApprovalAllowedDecisions):
    // an agent under `ask: on-miss` sends that, so an allow-always decision is asked for the same way.
    ask: decision === "allow-always" ? "on-miss" : "always", agentId: plan.agentId, sessionKey: plan.sessionKey, timeoutMs: 60000, twoPhase: true,
    // This connection is the reviewer too: keep the request pending although no other approval client is connected.
    requireDeliveryRoute: false,
  });
  out.request = requested;
  if (!requested.ok) return out;
  const approvalId = requested.payload.id;
  out.resolve = await request("exec.approval.resolve", { id: approvalId, decision });
  if (swapFrom && swapTo) renameSync(swapFrom, swapTo);
  out.run = await invoke("system.run", {
    command: plan.argv, rawCommand: plan.commandText, cwd: plan.cwd, agentId: plan.agentId, sessionKey: plan.sessionKey,
    approved: true, approvalDecision: decision, runId: approvalId, systemRunPlan: plan,
  });
  return out;
}

async function soak(count) {
  const mix = [
    ["system.run", { command: ["/usr/bin/head", "-c", "60000000", "/dev/zero"], timeoutMs: 30000 }],
    ["camera.snap", { deviceId: "testpattern", delayMs: 0 }],
    ["system.which", { bins: ["sh", "uname"] }],
    ["camera.snap", { deviceId: "testpattern", delayMs: 0, quality: 0.5 }],
    ["system.which", { bins: ["python3"] }],
  ];
  const errors = {}, times = {};
  for (let i = 0; i < count; i++) {
    const [command, params] = i % 50 === 49 ? ["camera.clip", { deviceId: "testpattern", durationMs: 1000, includeAudio: false }] : mix[i % mix.length];
    const start = process.hrtime.bigint();
    const res = await invoke(command, params);
    (times[command] ??= []).push(Number(process.hrtime.bigint() - start) / 1e6);
    if (!res.ok) { errors[command] = (errors[command] ?? 0) + 1; if (errors[command] === 1) console.error(command, JSON.stringify(res.error)); }
  }
  const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]]));
  return { count, errors, ms };
}

try {
  await connected;
  const result = mode === "bench"
    ? await bench(rest[0], rest[1], Number(rest[2]))
    : mode === "soak"
      ? await soak(Number(rest[0]))
      : await approvedRun(rest[0], rest[1], rest[2], rest[3], rest[4], rest[5]);
  console.log(JSON.stringify(result));
  ws.close();
  process.exit(0);
} catch (e) {
  console.error(String(e?.stack ?? e));
  process.exit(1);
}
