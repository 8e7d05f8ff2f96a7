import type * as dynamic from "@pulumi/pulumi/dynamic";

/** The provider kinds, each a module `dist/provider/<kind>.js` of this package that exports `provider`. */
export type ProviderKind = "bucket" | "bucketVersioning" | "iamRole" | "replicationConfiguration";

/**
 * The provider that Pulumi serializes into the state: a few lines that load the real provider of
 * `kind` from this package where the program runs. This keeps clients, credentials and SDK code out
 * of the serialized closure, and lets a fixed package version serve resources created by older ones.
 *
 * The module path it loads, `pulumi-bucket-replication/dist/provider/<kind>`, is part of every
 * stack's state: it must stay valid in every release (test/package/stub.test.ts pins it).
 * Refresh and destroy run the copy in the state, so a program folder that lost the package fails
 * there; the error then says what to install instead of Node's bare "Cannot find module".
 */
export function providerStub(kind: ProviderKind): dynamic.ResourceProvider {
    const load = (): dynamic.ResourceProvider => {
        const modulePath = `pulumi-bucket-replication/dist/provider/${kind}`;
        try {
            return require(modulePath).provider;
        } catch (error) {
            const missing = error as { code?: string; message?: string };
            // Only the package itself being absent is translated; a broken install inside it keeps Node's own message.
            if (missing.code !== "MODULE_NOT_FOUND" || !String(missing.message).includes(`'${modulePath}'`)) throw error;
            throw new Error(
                `This stack's bucket-replication resources are managed by the npm package 'pulumi-bucket-replication', ` +
                `which Pulumi loads from the program's folder (${process.cwd()}), and it is not installed there ` +
                `(Node could not find '${modulePath}'). Install it in that folder, with @pulumi/pulumi beside it ` +
                `('npm install pulumi-bucket-replication @pulumi/pulumi'), then run the command again. Any version of ` +
                `the package can refresh and destroy what an earlier one created.`);
        }
    };
    return {
        configure: (request) => load().configure!(request),
        check: (olds, news) => load().check!(olds, news),
        diff: (id, olds, news) => load().diff!(id, olds, news),
        create: (inputs) => load().create(inputs),
        read: (id, props) => load().read!(id, props),
        update: (id, olds, news) => load().update!(id, olds, news),
        delete: (id, props) => load().delete!(id, props),
    };
}
