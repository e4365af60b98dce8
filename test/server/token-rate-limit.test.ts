import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FailureRateLimiter } from "../../src/server/rest/token-rate-limit.js";

describe("failure rate limiter (token buckets per key)", () => {
  it("allows maxFailures failures, then refuses until one failure's worth has refilled", () => {
    const limiter = new FailureRateLimiter({ maxFailures: 10, windowMs: 60_000 });
    const keys = ["address 10.0.0.1", "client spark"];
    const t0 = 1_000_000;
    for (let i = 0; i < 10; i++) {
      assert.equal(limiter.retryAfterSeconds(keys, t0), 0, `failure ${i + 1} is allowed`);
      limiter.recordFailure(keys, t0);
    }
    assert.equal(limiter.retryAfterSeconds(keys, t0), 6, "one failure refills in 60 s / 10");
    assert.equal(limiter.retryAfterSeconds(keys, t0 + 3_000), 3);
    assert.equal(limiter.retryAfterSeconds(keys, t0 + 6_000), 0);
  });

  it("limits per key: a client id exhausted from many addresses, an address across client ids", () => {
    const limiter = new FailureRateLimiter({ maxFailures: 3, windowMs: 60_000 });
    const t = 5_000;
    for (let i = 0; i < 3; i++) limiter.recordFailure([`address 10.0.0.${i}`, "client spark"], t);
    assert.ok(limiter.retryAfterSeconds(["address 10.0.0.9", "client spark"], t) > 0, "the client id");
    assert.equal(limiter.retryAfterSeconds(["address 10.0.0.9", "client flink"], t), 0);
    for (let i = 0; i < 3; i++) limiter.recordFailure(["address 10.9.9.9", `client c${i}`], t);
    assert.ok(limiter.retryAfterSeconds(["address 10.9.9.9", "client new"], t) > 0, "the address");
  });

  it("tracks at most maxKeys keys, forgetting refilled ones first", () => {
    const limiter = new FailureRateLimiter({ maxFailures: 2, windowMs: 1_000, maxKeys: 10 });
    for (let i = 0; i < 20; i++) limiter.recordFailure([`key ${i}`], 0);
    assert.equal(limiter.trackedKeys, 10, "the least recently failed keys are dropped");
    assert.ok(limiter.retryAfterSeconds(["key 19"], 0) === 0, "one failure of two");
    limiter.recordFailure(["key 19"], 0);
    assert.ok(limiter.retryAfterSeconds(["key 19"], 0) > 0);
    // A second later every bucket is full again: the next failure forgets them all.
    for (let i = 0; i < 10; i++) limiter.recordFailure([`late ${i}`], 1_000);
    limiter.recordFailure(["last"], 1_000);
    assert.equal(limiter.trackedKeys, 10);
    assert.equal(limiter.retryAfterSeconds(["key 19"], 1_000), 0);
  });
});
