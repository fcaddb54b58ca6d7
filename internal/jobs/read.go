package jobs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// DefaultMaxFileSize is the largest document read when no limit is given.
const DefaultMaxFileSize = 10 << 20

// ReadFile returns the bytes of the document at path and their SHA-256 in
// hex. A file over limit bytes (DefaultMaxFileSize when 0) is an error on
// line 1, found without reading it.
func ReadFile(path string, limit int64) ([]byte, string, error) {
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fileError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, "", fileError(err)
	}
	if info.Size() > limit {
		return nil, "", tooLarge(info.Size(), limit)
	}
	data, err := read(f, info.Size(), limit)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), nil
}

// ReadAll reads a document from r, such as standard input, refusing one
// over limit bytes (DefaultMaxFileSize when 0).
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	return read(r, 0, limit)
}

// read reads r, expecting about size bytes and failing past limit.
func read(r io.Reader, size, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(size) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, fileError(err)
	}
	if int64(buf.Len()) > limit {
		return nil, tooLarge(int64(buf.Len()), limit)
	}
	return buf.Bytes(), nil
}

func tooLarge(size, limit int64) error {
	return &postmortem.Error{
		Code:    postmortem.EInvalid,
		Line:    1,
		Message: fmt.Sprintf("file is %s, over the %s limit (HINDSIGHT_MAX_FILE_SIZE)", decimalSize(size), binarySize(limit)),
	}
}

// decimalSize writes n bytes with one decimal in SI units: "50.0 MB".
func decimalSize(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f, i := float64(n), 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

// binarySize writes a limit in IEC units, exactly when it is a whole
// number of them: "10 MiB", "1536 KiB", "1000 bytes".
func binarySize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
