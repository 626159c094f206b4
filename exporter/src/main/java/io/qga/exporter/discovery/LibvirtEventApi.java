package io.qga.exporter.discovery;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of {@code libvirt.so.0} that {@link LibvirtEvents} uses, declared here because the
 * libvirt-java 0.5.2 binding has no agent lifecycle event and no way to list domains with their
 * state in one call. Signatures follow libvirt's {@code libvirt-event.h}, {@code libvirt-host.h}
 * and {@code libvirt-domain.h}; every function is in libvirt since 1.2.11 or earlier.
 */
interface LibvirtEventApi extends Library {

  /** Loads libvirt; throws {@link LinkageError} when it or JNA's native part is missing. */
  static LibvirtEventApi load() {
    return Native.load("virt", LibvirtEventApi.class);
  }

  int VIR_DOMAIN_EVENT_ID_LIFECYCLE = 0;
  int VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE = 18;

  /** {@code virConnectListAllDomains} flag: running, paused or otherwise active domains. */
  int VIR_CONNECT_LIST_DOMAINS_ACTIVE = 1;

  /** {@code virDomainState} values that {@link LibvirtEvents} tells apart. */
  int VIR_DOMAIN_PAUSED = 3;

  int VIR_DOMAIN_PMSUSPENDED = 7;

  /** {@code virConnectDomainEventCallback} for {@code VIR_DOMAIN_EVENT_ID_LIFECYCLE}. */
  interface LifecycleCallback extends Callback {
    int invoke(Pointer conn, Pointer domain, int event, int detail, Pointer opaque);
  }

  /** {@code virConnectDomainEventAgentLifecycleCallback}: state 1 connected, 2 disconnected. */
  interface AgentLifecycleCallback extends Callback {
    void invoke(Pointer conn, Pointer domain, int state, int reason, Pointer opaque);
  }

  /** {@code virConnectCloseFunc}: reason 0 error, 1 end of file, 2 keepalive, 3 client. */
  interface CloseCallback extends Callback {
    void invoke(Pointer conn, int reason, Pointer opaque);
  }

  /** {@code virErrorFunc}: replaces the default that prints every error to stderr. */
  interface ErrorCallback extends Callback {
    void invoke(Pointer userData, Pointer error);
  }

  int virEventRegisterDefaultImpl();

  /** Runs one iteration of the default event loop; blocks until something happens. */
  int virEventRunDefaultImpl();

  /** Adds a timer (-1: disabled); used to wake the loop so that its thread can end. */
  int virEventAddTimeout(int timeoutMs, Callback cb, Pointer opaque, Pointer freeCb);

  void virEventUpdateTimeout(int timer, int timeoutMs);

  void virSetErrorFunc(Pointer userData, ErrorCallback handler);

  Pointer virConnectOpenReadOnly(String uri);

  int virConnectClose(Pointer conn);

  int virConnectSetKeepAlive(Pointer conn, int intervalSeconds, int count);

  int virConnectRegisterCloseCallback(
      Pointer conn, CloseCallback cb, Pointer opaque, Pointer freeCb);

  int virConnectUnregisterCloseCallback(Pointer conn, CloseCallback cb);

  int virConnectDomainEventRegisterAny(
      Pointer conn, Pointer domain, int eventId, Callback cb, Pointer opaque, Pointer freeCb);

  int virConnectDomainEventDeregisterAny(Pointer conn, int callbackId);

  /** Fills {@code domains} with a malloc'd array of domain pointers; returns their count. */
  int virConnectListAllDomains(Pointer conn, PointerByReference domains, int flags);

  int virDomainGetState(Pointer domain, IntByReference state, IntByReference reason, int flags);

  /** The domain's name, owned by the domain object: valid until it is freed. */
  String virDomainGetName(Pointer domain);

  int virDomainGetUUIDString(Pointer domain, byte[] buf);

  int virDomainFree(Pointer domain);

  /** The message of the calling thread's last libvirt error, never null. */
  String virGetLastErrorMessage();

  /** Timer callback ({@code virEventTimeoutCallback}). */
  interface TimeoutCallback extends Callback {
    void invoke(int timer, Pointer opaque);
  }
}
