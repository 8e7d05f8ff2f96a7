import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * The provider that Pulumi serializes into the state: a few lines that load the real provider of
 * `kind` from this package where the program runs. This keeps clients, credentials and SDK code out
 * of the serialized closure, and lets a fixed package version serve resources created by older ones.
 */
export function providerStub(kind: "bucket" | "bucketVersioning" | "iamRole" | "replicationConfiguration"): dynamic.ResourceProvider {
    const load = (): dynamic.ResourceProvider => require(`pulumi-bucket-replication/dist/provider/${kind}`).provider;
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
