module

public import Init

/-!
# Elements on the wire

An Element is bounded pure data. Its wire form is a fixed 28-byte little-endian
record; the decoder accepts exactly the canonical encodings of valid Elements:
`decode (encode e) = some e` for every valid `e` (`decode_encode`), and whatever
decodes re-encodes to the bytes it was read from (`encode_of_decode_eq_some`),
so no two byte strings decode to the same Element.

Layout (byte offsets):

| off | size | field |
|---|---|---|
| 0 | 1 | kind: 0 rect, 1 text, 2 image, 3 path |
| 1 | 1 | reserved, 0 |
| 2 | 2 | z (int16, two's complement) |
| 4 | 4 | viewport (uint32) |
| 8 | 4 | x (int32, 1/16 px) |
| 12 | 4 | y (int32, 1/16 px) |
| 16 | 2 | width (uint16, px) |
| 18 | 2 | height (uint16, px) |
| 20 | 4 | color (uint32, RGBA) |
| 24 | 4 | payload: rect: radius u16, 0 u16; text: font u16, size u16; image: source u32; path: stroke u16, 0 u16 |
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Wire

/-- The atom type and its own fields. -/
inductive Atom where
  | rect (cornerRadius : Nat)
  | text (font : Nat) (size : Nat)
  | image (source : Nat)
  | path (stroke : Nat)
deriving DecidableEq

structure Element where
  atom : Atom
  z : Int
  viewport : Nat
  x : Int
  y : Int
  width : Nat
  height : Nat
  color : Nat
deriving DecidableEq

/-- Bounds of the atom fields. -/
def Atom.Valid : Atom → Prop
  | .rect r => r < 65536
  | .text f s => f < 65536 ∧ 1 ≤ s ∧ s ≤ 4096
  | .image src => src < 4294967296
  | .path w => w < 65536

instance (a : Atom) : Decidable a.Valid := by cases a <;> unfold Atom.Valid <;> exact inferInstance

/-- Every field within its bound (the single place the bounds are stated). -/
def Element.Valid (e : Element) : Prop :=
  e.atom.Valid ∧ -32768 ≤ e.z ∧ e.z < 32768 ∧ e.viewport < 4294967296 ∧
    -2147483648 ≤ e.x ∧ e.x < 2147483648 ∧ -2147483648 ≤ e.y ∧ e.y < 2147483648 ∧
    e.width < 65536 ∧ e.height < 65536 ∧ e.color < 4294967296

instance (e : Element) : Decidable e.Valid := by unfold Element.Valid; exact inferInstance

/-- Little-endian bytes of an unsigned 16-bit value. -/
def u16le (v : Nat) : List Nat := [v % 256, v / 256 % 256]

/-- Little-endian bytes of an unsigned 32-bit value. -/
def u32le (v : Nat) : List Nat := [v % 256, v / 256 % 256, v / 65536 % 256, v / 16777216 % 256]

/-- Two's complement of a signed value in `bits` bits. -/
def twos (bits : Nat) (x : Int) : Nat := (x % (2 ^ bits : Nat)).toNat

/-- The signed value of a `bits`-bit two's complement pattern. -/
def signed (bits : Nat) (u : Nat) : Int := if u < 2 ^ (bits - 1) then (u : Int) else (u : Int) - (2 ^ bits : Nat)

def le16 (b0 b1 : Nat) : Nat := b0 + 256 * b1

def le32 (b0 b1 b2 b3 : Nat) : Nat := b0 + 256 * b1 + 65536 * b2 + 16777216 * b3

def Atom.kind : Atom → Nat
  | .rect _ => 0
  | .text _ _ => 1
  | .image _ => 2
  | .path _ => 3

def Atom.payload : Atom → List Nat
  | .rect r => u16le r ++ [0, 0]
  | .text f s => u16le f ++ u16le s
  | .image src => u32le src
  | .path w => u16le w ++ [0, 0]

/-- The 28-byte record. -/
def encode (e : Element) : List Nat :=
  [e.atom.kind, 0] ++ u16le (twos 16 e.z) ++ u32le e.viewport ++ u32le (twos 32 e.x) ++ u32le (twos 32 e.y) ++
    u16le e.width ++ u16le e.height ++ u32le e.color ++ e.atom.payload

def decodeAtom (kind p0 p1 p2 p3 : Nat) : Option Atom :=
  match kind with
  | 0 => if p2 = 0 ∧ p3 = 0 then some (.rect (le16 p0 p1)) else none
  | 1 => some (.text (le16 p0 p1) (le16 p2 p3))
  | 2 => some (.image (le32 p0 p1 p2 p3))
  | 3 => if p2 = 0 ∧ p3 = 0 then some (.path (le16 p0 p1)) else none
  | _ => none

/-- Accepts exactly 28 bytes (each < 256) that encode a valid Element. -/
def decode : List Nat → Option Element
  | [k, r, z0, z1, v0, v1, v2, v3, x0, x1, x2, x3, y0, y1, y2, y3, w0, w1, h0, h1, c0, c1, c2, c3,
      p0, p1, p2, p3] =>
    if [k, r, z0, z1, v0, v1, v2, v3, x0, x1, x2, x3, y0, y1, y2, y3, w0, w1, h0, h1, c0, c1, c2, c3,
        p0, p1, p2, p3].all (· < 256) ∧ r = 0 then
      match decodeAtom k p0 p1 p2 p3 with
      | none => none
      | some atom =>
        let e : Element := ⟨atom, signed 16 (le16 z0 z1), le32 v0 v1 v2 v3, signed 32 (le32 x0 x1 x2 x3),
          signed 32 (le32 y0 y1 y2 y3), le16 w0 w1, le16 h0 h1, le32 c0 c1 c2 c3⟩
        if e.Valid then some e else none
    else none
  | _ => none

theorem length_encode (e : Element) : (encode e).length = 28 := by
  cases e with
  | mk atom z viewport x y width height color =>
    cases atom <;> simp [encode, u16le, u32le, Atom.payload]

theorem le16_u16le (v : Nat) (h : v < 65536) : le16 (v % 256) (v / 256 % 256) = v := by
  unfold le16; omega

theorem le32_u32le (v : Nat) (h : v < 4294967296) :
    le32 (v % 256) (v / 256 % 256) (v / 65536 % 256) (v / 16777216 % 256) = v := by
  unfold le32; omega

theorem signed_twos_16 (x : Int) (h1 : -32768 ≤ x) (h2 : x < 32768) : signed 16 (twos 16 x) = x := by
  simp only [signed, twos]
  split <;> omega

theorem signed_twos_32 (x : Int) (h1 : -2147483648 ≤ x) (h2 : x < 2147483648) : signed 32 (twos 32 x) = x := by
  simp only [signed, twos]
  split <;> omega

theorem twos_lt_16 (x : Int) : twos 16 x < 65536 := by simp only [twos]; omega

theorem twos_lt_32 (x : Int) : twos 32 x < 4294967296 := by simp only [twos]; omega

/-- **Round trip**: every valid Element decodes from its encoding. -/
theorem decode_encode (e : Element) (h : e.Valid) : decode (encode e) = some e := by
  obtain ⟨atom, z, viewport, x, y, width, height, color⟩ := e
  have hv := h
  simp only [Element.Valid] at hv
  obtain ⟨ha, hz1, hz2, hvp, hx1, hx2, hy1, hy2, hw, hh, hc⟩ := hv
  have m256 : ∀ v : Nat, v % 256 < 256 := fun v => Nat.mod_lt v (by decide)
  have tz := twos_lt_16 z
  have tx := twos_lt_32 x
  have ty := twos_lt_32 y
  cases atom with
  | rect r =>
    simp only [Atom.Valid] at ha
    simp only [encode, Atom.kind, Atom.payload, u16le, u32le, List.cons_append, List.nil_append, decode,
      decodeAtom, List.all_cons, List.all_nil, decide_eq_true_eq, Bool.and_true, Bool.and_eq_true, m256]
    simp only [le16_u16le _ ha, le16_u16le _ tz, le32_u32le _ hvp, le32_u32le _ tx, le32_u32le _ ty,
      le16_u16le _ hw, le16_u16le _ hh, le32_u32le _ hc, signed_twos_16 z hz1 hz2,
      signed_twos_32 x hx1 hx2, signed_twos_32 y hy1 hy2]
    simp [h]
  | text f s =>
    simp only [Atom.Valid] at ha
    obtain ⟨hf, hs1, hs2⟩ := ha
    simp only [encode, Atom.kind, Atom.payload, u16le, u32le, List.cons_append, List.nil_append, decode,
      decodeAtom, List.all_cons, List.all_nil, decide_eq_true_eq, Bool.and_true, Bool.and_eq_true, m256]
    simp only [le16_u16le _ hf, le16_u16le _ (by omega : s < 65536), le16_u16le _ tz, le32_u32le _ hvp,
      le32_u32le _ tx, le32_u32le _ ty, le16_u16le _ hw, le16_u16le _ hh, le32_u32le _ hc,
      signed_twos_16 z hz1 hz2, signed_twos_32 x hx1 hx2, signed_twos_32 y hy1 hy2]
    simp [h]
  | image src =>
    simp only [Atom.Valid] at ha
    simp only [encode, Atom.kind, Atom.payload, u16le, u32le, List.cons_append, List.nil_append, decode,
      decodeAtom, List.all_cons, List.all_nil, decide_eq_true_eq, Bool.and_true, Bool.and_eq_true, m256]
    simp only [le32_u32le _ ha, le16_u16le _ tz, le32_u32le _ hvp, le32_u32le _ tx, le32_u32le _ ty,
      le16_u16le _ hw, le16_u16le _ hh, le32_u32le _ hc, signed_twos_16 z hz1 hz2,
      signed_twos_32 x hx1 hx2, signed_twos_32 y hy1 hy2]
    simp [h]
  | path w =>
    simp only [Atom.Valid] at ha
    simp only [encode, Atom.kind, Atom.payload, u16le, u32le, List.cons_append, List.nil_append, decode,
      decodeAtom, List.all_cons, List.all_nil, decide_eq_true_eq, Bool.and_true, Bool.and_eq_true, m256]
    simp only [le16_u16le _ ha, le16_u16le _ tz, le32_u32le _ hvp, le32_u32le _ tx, le32_u32le _ ty,
      le16_u16le _ hw, le16_u16le _ hh, le32_u32le _ hc, signed_twos_16 z hz1 hz2,
      signed_twos_32 x hx1 hx2, signed_twos_32 y hy1 hy2]
    simp [h]

theorem u16le_le16 {b0 b1 : Nat} (h0 : b0 < 256) (h1 : b1 < 256) : u16le (le16 b0 b1) = [b0, b1] := by
  simp only [u16le, le16, List.cons.injEq, and_true]; omega

theorem u32le_le32 {b0 b1 b2 b3 : Nat} (h0 : b0 < 256) (h1 : b1 < 256) (h2 : b2 < 256) (h3 : b3 < 256) :
    u32le (le32 b0 b1 b2 b3) = [b0, b1, b2, b3] := by
  simp only [u32le, le32, List.cons.injEq, and_true]; omega

theorem twos_signed_16 {u : Nat} (h : u < 65536) : twos 16 (signed 16 u) = u := by
  simp only [twos, signed]; split <;> omega

theorem twos_signed_32 {u : Nat} (h : u < 4294967296) : twos 32 (signed 32 u) = u := by
  simp only [twos, signed]; split <;> omega

theorem kind_payload_of_decodeAtom {k p0 p1 p2 p3 : Nat} {a : Atom} (h0 : p0 < 256) (h1 : p1 < 256)
    (h2 : p2 < 256) (h3 : p3 < 256) (h : decodeAtom k p0 p1 p2 p3 = some a) :
    a.kind = k ∧ a.payload = [p0, p1, p2, p3] := by
  unfold decodeAtom at h
  split at h
  · split at h
    · cases h; rename_i hp; obtain ⟨rfl, rfl⟩ := hp
      simp only [Atom.kind, Atom.payload, u16le_le16 h0 h1, List.cons_append, List.nil_append, and_self]
    · cases h
  · cases h; simp only [Atom.kind, Atom.payload, u16le_le16 h0 h1, u16le_le16 h2 h3, List.cons_append,
      List.nil_append, and_self]
  · cases h; simp only [Atom.kind, Atom.payload, u32le_le32 h0 h1 h2 h3, and_self]
  · split at h
    · cases h; rename_i hp; obtain ⟨rfl, rfl⟩ := hp
      simp only [Atom.kind, Atom.payload, u16le_le16 h0 h1, List.cons_append, List.nil_append, and_self]
    · cases h
  · cases h

/-- **Canonicity**: the decoder accepts only canonical records — whatever it
decodes re-encodes to the very bytes it read, so no two byte strings decode to
the same Element. -/
theorem encode_of_decode_eq_some {b : List Nat} {e : Element} (h : decode b = some e) : encode e = b := by
  unfold decode at h
  split at h
  · rename_i k r z0 z1 v0 v1 v2 v3 x0 x1 x2 x3 y0 y1 y2 y3 w0 w1 h0 h1 c0 c1 c2 c3 p0 p1 p2 p3
    split at h
    · rename_i hb
      simp only [List.all_cons, List.all_nil, decide_eq_true_eq, Bool.and_true, Bool.and_eq_true] at hb
      obtain ⟨⟨-, -, hz0, hz1, hv0, hv1, hv2, hv3, hx0, hx1, hx2, hx3, hy0, hy1, hy2, hy3, hw0, hw1, hh0, hh1,
        hc0, hc1, hc2, hc3, hp0, hp1, hp2, hp3⟩, rfl⟩ := hb
      split at h
      · cases h
      · rename_i atom hatom
        dsimp only at h
        split at h
        · cases h
          obtain ⟨hkind, hpay⟩ := kind_payload_of_decodeAtom hp0 hp1 hp2 hp3 hatom
          have lz : le16 z0 z1 < 65536 := by simp only [le16]; omega
          have lx : le32 x0 x1 x2 x3 < 4294967296 := by simp only [le32]; omega
          have ly : le32 y0 y1 y2 y3 < 4294967296 := by simp only [le32]; omega
          simp only [encode, hkind, hpay, twos_signed_16 lz, twos_signed_32 lx, twos_signed_32 ly,
            u16le_le16 hz0 hz1, u32le_le32 hv0 hv1 hv2 hv3, u32le_le32 hx0 hx1 hx2 hx3,
            u32le_le32 hy0 hy1 hy2 hy3, u16le_le16 hw0 hw1, u16le_le16 hh0 hh1, u32le_le32 hc0 hc1 hc2 hc3,
            List.cons_append, List.nil_append]
        · cases h
    · cases h
  · cases h

end Hydrogen.Wire

end
