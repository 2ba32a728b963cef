/** An application module: its package org.acme holds the generated Xor and XorApi classes. */
module org.acme.app {
  requires org.gradc.runtime;
}
