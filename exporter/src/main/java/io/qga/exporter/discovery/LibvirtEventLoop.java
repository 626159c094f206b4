package io.qga.exporter.discovery;

import java.util.logging.Logger;

/**
 * libvirt's default event loop ({@code virEventRegisterDefaultImpl}, then {@code
 * virEventRunDefaultImpl} forever on the daemon thread {@code libvirt-event-loop}): one per
 * process, started by the first {@link LibvirtEvents} and never stopped, as libvirt cannot
 * unregister it. Its callbacks run on that thread.
 */
final class LibvirtEventLoop {
  private static final Logger LOG = Logger.getLogger(LibvirtEvents.class.getName());
  private static final Object LOCK = new Object();
  private static LibvirtEventApi loopApi;

  /** Silences libvirt's default error printer (errors reach us as return values). */
  private static final LibvirtEventApi.ErrorCallback SILENT = (userData, error) -> {};

  private LibvirtEventLoop() {}

  /**
   * The loaded library, with the loop registered and running: keepalive and events need it
   * registered before a connection opens. Throws {@link LinkageError} when libvirt cannot load.
   */
  static LibvirtEventApi api() {
    synchronized (LOCK) {
      if (loopApi != null) {
        return loopApi;
      }
      LibvirtEventApi api = LibvirtEventApi.load();
      api.virSetErrorFunc(null, SILENT);
      if (api.virEventRegisterDefaultImpl() < 0) {
        throw new LinkageError(
            "virEventRegisterDefaultImpl failed: " + api.virGetLastErrorMessage());
      }
      Thread loop =
          new Thread(
              () -> {
                while (true) {
                  if (api.virEventRunDefaultImpl() < 0) {
                    LOG.warning(
                        "libvirt events: the event loop failed: " + api.virGetLastErrorMessage());
                    try {
                      Thread.sleep(1000);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                }
              },
              "libvirt-event-loop");
      loop.setDaemon(true);
      loop.start();
      loopApi = api;
      return api;
    }
  }
}
