package io.qga.exporter.action;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The action-specific part of a result (bytes trimmed, clock offsets), as JSON for audit and API.
 */
public interface ActionDetails {
  ObjectNode toJson();
}
