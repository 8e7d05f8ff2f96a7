import { expect } from "chai";
import { openSecrets, sealSecrets, withoutUndefined } from "../../provider/plugin/wire";

// How the engine marks a secret in a Struct a provider receives (sdk/go/common/resource/properties.go).
const sig = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({ [sig]: "1b47061264138c4ac30d75fd1eb44270", value });

describe("plugin wire: secrets on the way in and out", () => {
    it("opens top-level secrets, names their properties, and seals them again as they came", () => {
        const received = { accessKey: "plain", secretKey: secret("s3cr3t"), count: secret(3), flag: false };
        const { plain, secretKeys } = openSecrets(received);
        expect(plain).to.deep.equal({ accessKey: "plain", secretKey: "s3cr3t", count: 3, flag: false });
        expect([...secretKeys].sort()).to.deep.equal(["count", "secretKey"]);
        expect(sealSecrets(plain, secretKeys)).to.deep.equal(received);
    });

    it("marks the top-level property of a secret found anywhere inside it, and seals the whole property", () => {
        const received = {
            role: { id: "r", name: secret("replicator") },
            rules: { a: { destination: { bucket: "b", zone: secret("local-b") } } },
            list: [1, [2, secret(3)]],
            nested: secret({ inner: secret("twice") }),
            open: { id: "r" },
        };
        const { plain, secretKeys } = openSecrets(received);
        expect(plain).to.deep.equal({
            role: { id: "r", name: "replicator" },
            rules: { a: { destination: { bucket: "b", zone: "local-b" } } },
            list: [1, [2, 3]],
            nested: { inner: "twice" },
            open: { id: "r" },
        });
        expect([...secretKeys].sort()).to.deep.equal(["list", "nested", "role", "rules"]);
        const sealed = sealSecrets(plain, secretKeys);
        expect(sealed.role).to.deep.equal(secret({ id: "r", name: "replicator" }));
        expect(sealed.list).to.deep.equal(secret([1, [2, 3]]));
        expect(sealed.open).to.deep.equal({ id: "r" });
    });

    it("does not seal null or absent properties, and leaves the input unchanged", () => {
        const properties = { roleSecretKey: null, secretKey: undefined, name: "n" };
        const sealed = sealSecrets(properties, ["roleSecretKey", "secretKey", "missing", "name"]);
        expect(sealed).to.deep.equal({ roleSecretKey: null, secretKey: undefined, name: secret("n") });
        expect(sealed).to.not.have.property("missing");
        expect(properties.name).to.equal("n");
        expect(sealSecrets(undefined, ["x"])).to.deep.equal({});
    });

    it("treats values that only look alike as plain: another signature, falsy values, empty input", () => {
        const notSecret = { [sig]: "5cf8f73096256a8f31e491e813e4eb8e", value: "asset" };
        const { plain, secretKeys } = openSecrets({ asset: notSecret, zero: 0, empty: "", none: null });
        expect(plain).to.deep.equal({ asset: notSecret, zero: 0, empty: "", none: null });
        expect(secretKeys.size).to.equal(0);
        expect(openSecrets(undefined)).to.deep.equal({ plain: {}, secretKeys: new Set() });
    });

    it("leaves out undefined properties (protobuf's Struct refuses them) and keeps null", () => {
        expect(withoutUndefined({ a: undefined, b: null, c: 0 })).to.deep.equal({ b: null, c: 0 });
    });
});
