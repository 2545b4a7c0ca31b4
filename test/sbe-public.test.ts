// The SBE generator on public schemas written by others: Real Logic's "Car" example schema and
// its extension (test/fixtures/sbe/real-logic, Apache-2.0; the README there names the repository,
// path and commit). Each is generated, compiled (test/helpers/sbe.ts caches the module) and fed
// packets from its generated encoder: every template with every field at zero, its maximum and
// null, groups of 0, 1 and many entries (a nested group and a group with var data), var data empty
// and at its longest, read back field by field through the full-message view (what decode --json
// prints). Also the extension's two versions of Car, and var data lengths beyond the message or
// beyond the length's maxValue counted as bad lengths.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FeedParser } from "../src/feeds/parser.js";
import { encodeMessage, decodeMessage, SbeDecodeError, type SbeObject } from "../src/sbe/codec.js";
import { sbePacket } from "../src/sbe/packet.js";
import { generatedFeed, parsePayloads, extremeValues, withoutConstants } from "./helpers/sbe.js";

const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/sbe/real-logic/${f}`, import.meta.url));
const T0 = 9n;

const P = suite("SBE generator on Real Logic's example schemas");

for (const [file, name] of [["example-schema.xml", "car"], ["example-extension-schema.xml", "car_ext"]] as const) {
  P(`${file}: every template at zero, maximum and null, groups of 0, 1 and 3 entries, var data empty and longest`, async () => {
    const { feed, schema } = await generatedFeed(fixture(file), name);
    for (const x of ["zero", "max", "null"] as const) {
      for (const entries of [0, 1, 3]) {
        const p = new FeedParser(feed);
        const values: SbeObject[] = schema.messages.map((m) => extremeValues(m.fields, m.groups, x, entries, Infinity, m.data));
        const r = parsePayloads(p, schema.messages.map((m, i) => sbePacket(i + 1, T0, [encodeMessage(schema, m.id, values[i])])));
        assert.equal(p.summary().rejected, {}, `${x}, ${entries}`);
        assert.is(r.messages.length, schema.messages.length);
        r.messages.forEach((got, i) => {
          const m = schema.messages[i];
          assert.equal(withoutConstants(got, m.fields, m.groups), { template: m.name, templateId: m.id, version: schema.version, ...values[i] }, `${m.name} ${x} ${entries}`);
        });
      }
    }
  });
}

P("example-schema.xml: the constants (a constant enum by valueRef, a composite's constant number and string) read as the schema gives them", async () => {
  const { feed, schema } = await generatedFeed(fixture("example-schema.xml"), "car");
  const p = new FeedParser(feed);
  const car = {
    serialNumber: 1234, modelYear: 2013, available: "T", code: "A", someNumbers: [0, 1, 2, 3, 4], vehicleCode: "abcdef", extras: ["sunRoof", "cruiseControl"],
    engine: { capacity: 2000, numCylinders: 4, manufacturerCode: "123" },
    fuelFigures: [{ speed: 30, mpg: 35.900001525878906, usageDescription: "Urban Cycle" }, { speed: 55, mpg: 49, usageDescription: "Combined Cycle" }, { speed: 75, mpg: 40, usageDescription: "Highway Cycle" }],
    performanceFigures: [
      { octaneRating: 95, acceleration: [{ mph: 30, seconds: 4 }, { mph: 60, seconds: 7.5 }, { mph: 100, seconds: 12.199999809265137 }] },
      { octaneRating: 99, acceleration: [{ mph: 30, seconds: 3.799999952316284 }, { mph: 60, seconds: 7.099999904632568 }, { mph: 100, seconds: 11.800000190734863 }] },
    ],
    make: "Honda", model: "Civic VTi", activationCode: "abcdef",
  };
  const r = parsePayloads(p, [sbePacket(1, T0, [encodeMessage(schema, "Car", car)])]);
  assert.equal(p.summary().rejected, {});
  assert.equal(r.messages[0], {
    template: "Car", templateId: 1, version: 0, ...car, discountedModel: "C", engine: { ...car.engine, maxRpm: 9000, fuel: "Petrol" },
  });
  // No tags of a feed's ticks: one record per message, of its template.
  assert.equal(r.ticks.map((t) => [t.kind, String(t.msgType).charCodeAt(0), t.exchangeTs]), [["other", 1, Number(T0)]]);
});

P("example-extension-schema.xml: a version 0 Car reports cupHolderCount absent, a version 1 Car null or its value", async () => {
  const { feed, schema } = await generatedFeed(fixture("example-extension-schema.xml"), "car_ext");
  const p = new FeedParser(feed);
  const base = { serialNumber: "18446744073709551615", someNumbers: [-1, 0, 1, -2147483648, 2147483647], make: "m", model: "", activationCode: "x" };
  const v0 = encodeMessage(schema, 1, { ...base, cupHolderCount: 3 }, { version: 0 });
  const v1null = encodeMessage(schema, 1, { ...base, cupHolderCount: null });
  const v1 = encodeMessage(schema, 1, { ...base, cupHolderCount: 254 });
  assert.is(v1.length - v0.length, 1, "version 0's block ends before cupHolderCount");
  const r = parsePayloads(p, [sbePacket(1, T0, [v0, v1null, v1])]);
  assert.equal(p.summary().rejected, {});
  assert.equal(r.messages.map((m) => [m.version, "cupHolderCount" in m, m.cupHolderCount, m.serialNumber, m.someNumbers, m.make, m.model]), [
    [0, false, undefined, base.serialNumber, base.someNumbers, "m", ""], [1, true, null, base.serialNumber, base.someNumbers, "m", ""], [1, true, 254, base.serialNumber, base.someNumbers, "m", ""],
  ]);
});

P("var data whose length runs past the message, or past its length's maxValue, is counted and the message delivers nothing", async () => {
  const { feed, schema } = await generatedFeed(fixture("example-schema.xml"), "car");
  const good = encodeMessage(schema, 1, { fuelFigures: [{ speed: 1, usageDescription: "ab" }], make: "hell", model: "", activationCode: "" });
  // Root block: 8 (header) + 41; fuelFigures: groupSizeEncoding (3), an entry (6), usageDescription's uint32 length.
  assert.is(schema.messages[0].blockLength, 41);
  const usage = 8 + 41 + 3 + 6;
  const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.is(dv(good).getUint32(usage, true), 2);
  const past = good.slice();
  dv(past).setUint32(usage, 1000, true);
  assert.throws(() => decodeMessage(schema, past, 0, past.length), (e: Error) => e instanceof SbeDecodeError && /fuelFigures\.usageDescription: 1000 bytes of var data run past/.test(e.message));
  const p = new FeedParser(feed);
  const r = parsePayloads(p, [sbePacket(1, T0, [past]), sbePacket(2, T0, [good])]);
  assert.equal(p.summary().rejected, { badLength: 1 });
  assert.equal(r.messages.map((m) => m.make), ["hell"]);

  // The same schema with varDataEncoding's length limited to maxValue 4: "hello" fits the message
  // but not the schema.
  const dir = mkdtempSync(join(tmpdir(), "xdpfeed-car-"));
  try {
    const file = join(dir, "car-max4.xml");
    writeFileSync(file, readFileSync(fixture("example-schema.xml"), "utf8").replace('maxValue="1073741824"', 'maxValue="4"'));
    const limited = await generatedFeed(file, "car_max4");
    assert.is(limited.schema.messages[0].data[0].maxLength, 4);
    const hello = encodeMessage(schema, 1, { make: "hello" });
    assert.throws(() => encodeMessage(limited.schema, 1, { make: "hello" }), (e: Error) => e instanceof SbeDecodeError && /make: 5 bytes do not fit its length \(at most 4\)/.test(e.message));
    assert.throws(() => decodeMessage(limited.schema, hello, 0, hello.length), (e: Error) => /Car\.make: 5 bytes of var data, more than its length's maxValue 4/.test(e.message));
    const q = new FeedParser(limited.feed);
    const r2 = parsePayloads(q, [sbePacket(1, T0, [hello]), sbePacket(2, T0, [good])]);
    assert.equal(q.summary().rejected, { badLength: 1 });
    assert.equal(r2.messages.map((m) => m.make), ["hell"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

P.run();
