// xdpfeed's CME MDP 3.0 session generator (tests, benchmarks, demos).
export { mdp3Session, type Mdp3SessionOptions, type Mdp3Packet, type Mdp3Book, type Mdp3Level } from "./session.js";
