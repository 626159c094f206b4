package io.qga.exporter.discovery;

import io.qga.client.AgentAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads libvirt's live domain XML ({@code run_dir/NAME.xml}, a {@code <domstatus>} around the
 * {@code <domain>}, or a bare {@code <domain>}) and finds each domain's guest agent channels:
 * {@code <channel type='unix'>} with {@code <target type='virtio' name='org.qemu.guest_agent.N'>}
 * and {@code <source path=...>}. libvirt itself holds {@code .0}; any other channel is preferred
 * and used directly.
 */
final class LibvirtRunDir {
  static final String AGENT_PREFIX = "org.qemu.guest_agent.";
  static final String LIBVIRT_CHANNEL = AGENT_PREFIX + "0";

  /** Larger files are not domain status XML we can use (a real one is tens of KiB). */
  static final long MAX_FILE_BYTES = 4L << 20;

  static final int MAX_FILES = 10_000;

  /** One file's outcome. */
  sealed interface Result permits Found, Skipped, Unreadable {}

  /** A file this user may not read (libvirt writes them root-only, 0600). */
  record Unreadable(Path file, String reason) implements Result {}

  /**
   * What listing the directory gave: its {@code *.xml} files, or why it could not be listed.
   *
   * @param missing the directory does not exist (libvirt's QEMU driver never ran here)
   * @param error why an existing directory could not be listed, or null
   */
  record Listing(List<Path> files, boolean missing, String error) {}

  /** A domain to poll. */
  record Found(DiscoveredDomain domain) implements Result {}

  /**
   * A file that gives no domain, and why; {@code key} identifies the condition so it is logged once
   * while it lasts; {@code warn}: a problem an operator should fix (else informational).
   */
  record Skipped(String key, String reason, boolean warn) implements Result {
    Skipped(String key, String reason) {
      this(key, reason, true);
    }
  }

  private LibvirtRunDir() {}

  /** Every {@code *.xml} in the directory (sorted), at most {@link #MAX_FILES}. */
  static List<Path> files(Path runDir) {
    return list(runDir).files();
  }

  /** As {@link #files}, telling a missing directory from one this user may not list. */
  static Listing list(Path runDir) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(runDir, "*.xml")) {
      for (Path p : stream) {
        if (files.size() >= MAX_FILES) {
          break;
        }
        if (Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return new Listing(List.of(), true, null);
    } catch (IOException | SecurityException e) {
      return new Listing(
          List.of(),
          false,
          e instanceof AccessDeniedException ? "permission denied" : e.toString());
    }
    files.sort(null);
    return new Listing(List.copyOf(files), false, null);
  }

  /** Reads one file. Never throws: a broken file is a {@link Skipped}. */
  static Result read(Path file, boolean useLibvirtChannel) {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        return new Skipped(
            file + ":size", file + " is " + size + " bytes, larger than a domain XML may be");
      }
      bytes = Files.readAllBytes(file);
    } catch (AccessDeniedException e) {
      return new Unreadable(file, "permission denied");
    } catch (IOException e) {
      // vanished between listing and reading (domain stopped): not worth a log line
      return new Skipped(file + ":io", "cannot read " + file + ": " + e.getMessage(), false);
    }
    return parse(bytes, file.toString(), useLibvirtChannel);
  }

  static Result parse(byte[] xml, String source, boolean useLibvirtChannel) {
    Document doc;
    try {
      DocumentBuilder builder = factory().newDocumentBuilder();
      builder.setErrorHandler(new DefaultHandler()); // no stderr noise; errors still throw
      doc = builder.parse(new ByteArrayInputStream(xml));
    } catch (SAXException | IOException | ParserConfigurationException e) {
      return new Skipped(source + ":malformed", source + " is not valid XML: " + e.getMessage());
    }
    Element root = doc.getDocumentElement();
    Element domain =
        root.getTagName().equals("domstatus")
            ? child(root, "domain")
            : root.getTagName().equals("domain") ? root : null;
    if (domain == null) {
      return new Skipped(source + ":nodomain", source + " has no <domain> element");
    }
    String name = text(child(domain, "name"));
    if (name == null || name.isBlank() || name.length() > 256) {
      return new Skipped(source + ":noname", source + ": the domain has no usable <name>");
    }
    Optional<String> uuid =
        Optional.ofNullable(text(child(domain, "uuid"))).filter(u -> u.length() <= 64);
    TreeMap<String, String> channels = new TreeMap<>(LibvirtRunDir::compareChannels);
    Element devices = child(domain, "devices");
    if (devices != null) {
      for (Element channel : children(devices, "channel")) {
        Element target = child(channel, "target");
        Element src = child(channel, "source");
        if (!"unix".equals(channel.getAttribute("type")) || target == null || src == null) {
          continue;
        }
        String targetName = target.getAttribute("name");
        String path = src.getAttribute("path");
        if ("virtio".equals(target.getAttribute("type"))
            && targetName.startsWith(AGENT_PREFIX)
            && !path.isEmpty()) {
          channels.putIfAbsent(targetName, path);
        }
      }
    }
    if (channels.isEmpty()) {
      return new Skipped(
          name + ":noagent",
          "domain " + name + " has no guest agent channel (" + AGENT_PREFIX + "N): skipped",
          false);
    }
    var preferred =
        channels.entrySet().stream().filter(e -> !e.getKey().equals(LIBVIRT_CHANNEL)).findFirst();
    if (preferred.isPresent()) {
      try {
        return new Found(
            new DiscoveredDomain(
                name, uuid, new Route.Direct(AgentAddress.unix(preferred.get().getValue()))));
      } catch (IllegalArgumentException e) {
        return new Skipped(
            name + ":path", "domain " + name + ": bad channel path: " + e.getMessage());
      }
    }
    if (useLibvirtChannel) {
      return new Found(new DiscoveredDomain(name, uuid, new Route.Libvirt(name, uuid)));
    }
    return new Skipped(
        name + ":only0",
        "domain "
            + name
            + " has only libvirt's own agent channel "
            + LIBVIRT_CHANNEL
            + ": skipped (add a channel org.qemu.guest_agent.1, or set"
            + " discovery.libvirt.use_libvirt_channel: true)");
  }

  /** .1 before .2 before .10; non-numeric suffixes after the numbers. */
  private static int compareChannels(String a, String b) {
    String sa = a.substring(AGENT_PREFIX.length());
    String sb = b.substring(AGENT_PREFIX.length());
    boolean na = sa.matches("\\d{1,9}");
    boolean nb = sb.matches("\\d{1,9}");
    if (na && nb) {
      return Integer.compare(Integer.parseInt(sa), Integer.parseInt(sb));
    }
    return na ? -1 : nb ? 1 : sa.compareTo(sb);
  }

  /** No DTDs, no external entities, no XInclude: the files are written by libvirt, but be safe. */
  private static DocumentBuilderFactory factory() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    f.setNamespaceAware(false);
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    return f;
  }

  private static Element child(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> out = new ArrayList<>();
    NodeList list = parent.getChildNodes();
    for (int i = 0; i < list.getLength(); i++) {
      if (list.item(i) instanceof Element e && e.getTagName().equals(tag)) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element e) {
    return e == null ? null : e.getTextContent().trim();
  }
}
