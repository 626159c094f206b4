package io.qga.exporter.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/** DER for {@link TlsFiles}: just enough to wrap PKCS#1 and SEC1 keys into PKCS#8. */
final class DerKeys {
  private DerKeys() {}

  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  static byte[] wrapPkcs1(byte[] pkcs1) {
    return sequence(concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, tlv(0x04, pkcs1)));
  }

  /** SEC1 {@code ECPrivateKey} carries its curve in {@code [0]}; PKCS#8 wants it beside the OID. */
  static byte[] wrapSec1(Path file, byte[] sec1) throws IOException {
    byte[] curve = null;
    try {
      int[] outer = header(sec1, 0);
      int i = outer[0];
      int end = outer[0] + outer[1];
      while (i < end) {
        int tag = sec1[i] & 0xff;
        int[] h = header(sec1, i);
        if (tag == 0xa0) {
          curve = java.util.Arrays.copyOfRange(sec1, h[0], h[0] + h[1]);
        }
        i = h[0] + h[1];
      }
    } catch (RuntimeException e) {
      throw new IOException(file + ": a malformed EC PRIVATE KEY", e);
    }
    if (curve == null) {
      throw new IOException(
          file
              + ": the EC key does not name its curve; convert it with openssl pkcs8 -topk8"
              + " -nocrypt");
    }
    byte[] algorithm = sequence(concat(EC_PUBLIC_KEY_OID, curve));
    return sequence(concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, sec1)));
  }

  /** Offset of the content and its length, for the TLV at {@code at}. */
  private static int[] header(byte[] der, int at) {
    int i = at + 1;
    int len = der[i++] & 0xff;
    if (len >= 0x80) {
      int n = len & 0x7f;
      if (n < 1 || n > 3) {
        throw new IllegalArgumentException("bad DER length");
      }
      len = 0;
      for (int k = 0; k < n; k++) {
        len = (len << 8) | (der[i++] & 0xff);
      }
    }
    if (i + len > der.length) {
      throw new IllegalArgumentException("DER length beyond the data");
    }
    return new int[] {i, len};
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write((n >> 8) & 0xff);
      out.write(n & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
