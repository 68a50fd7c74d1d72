package main

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// splitTTC extracts font index from a TrueType collection into a standalone
// .ttf: the font's table directory and tables, copied with new offsets.
// Go PDF generators read only plain .ttf files.
func splitTTC(ttc []byte, index int) ([]byte, error) {
	be := binary.BigEndian
	if len(ttc) < 12 || string(ttc[:4]) != "ttcf" {
		return nil, errors.New("not a TrueType collection")
	}
	numFonts := int(be.Uint32(ttc[8:]))
	if index < 0 || index >= numFonts || 12+4*numFonts > len(ttc) {
		return nil, fmt.Errorf("font index %d out of range (%d fonts)", index, numFonts)
	}
	dir := int(be.Uint32(ttc[12+4*index:]))
	if dir+12 > len(ttc) {
		return nil, errors.New("table directory outside the file")
	}
	numTables := int(be.Uint16(ttc[dir+4:]))
	if dir+12+16*numTables > len(ttc) {
		return nil, errors.New("table records outside the file")
	}
	headerLen := 12 + 16*numTables
	out := make([]byte, headerLen)
	copy(out, ttc[dir:dir+12])
	for i := 0; i < numTables; i++ {
		rec := ttc[dir+12+16*i : dir+12+16*(i+1)]
		off, length := int(be.Uint32(rec[8:])), int(be.Uint32(rec[12:]))
		if off+length > len(ttc) {
			return nil, fmt.Errorf("table %q outside the file", rec[:4])
		}
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		newRec := out[12+16*i : 12+16*(i+1)]
		copy(newRec, rec)
		be.PutUint32(newRec[8:], uint32(len(out)))
		out = append(out, ttc[off:off+length]...)
	}
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	return out, nil
}
