// xdpfeed/lab: two network namespaces joined by a veth pair, for trying a feed on one machine
// (the demo, the tests and the benchmarks run there), and running code inside a namespace.
export { createPair, destroyPair, withPair, receiverHasXdp, type VethPair } from "./veth.js";
export { inNetns } from "../../bridge/netns.js";
