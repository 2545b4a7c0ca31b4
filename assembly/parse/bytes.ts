// Field loads for wire formats: big-endian with bswap (ITCH, MoldUDP64, IP), little-endian as is
// (IEX). Callers check bounds once per message with one unsigned compare before loading.

@inline export function be16(p: u32): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}

@inline export function be32(p: u32): u32 {
  return bswap<u32>(load<u32>(p));
}

@inline export function be48(p: u32): u64 {
  return (<u64>be16(p) << 32) | <u64>be32(p + 2);
}

@inline export function be64(p: u32): u64 {
  return bswap<u64>(load<u64>(p));
}

@inline export function le16(p: u32): u32 {
  return <u32>load<u16>(p);
}

@inline export function le32(p: u32): u32 {
  return load<u32>(p);
}

@inline export function le64(p: u32): u64 {
  return load<u64>(p);
}

// The 8 symbol bytes as one integer (for hashing, compares and the symbol table).
@inline export function sym8(p: u32): u64 {
  return load<u64>(p);
}
