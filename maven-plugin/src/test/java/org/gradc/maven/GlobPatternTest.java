package org.gradc.maven;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlobPatternTest {

  @Test
  void doubleStarMatchesAnyNumberOfFoldersIncludingNone() {
    GlobPattern p = GlobPattern.of("**/*.grad");
    assertTrue(p.matches("Xor.grad"));
    assertTrue(p.matches("org/example/Xor.grad"));
    assertFalse(p.matches("Xor.grad.bak"));
    assertFalse(p.matches("org/example/Xor.txt"));
  }

  @Test
  void singleStarStaysInsideOneFolder() {
    GlobPattern p = GlobPattern.of("org/*.grad");
    assertTrue(p.matches("org/Xor.grad"));
    assertFalse(p.matches("org/example/Xor.grad"));
    assertFalse(p.matches("Xor.grad"));
  }

  @Test
  void questionMarkIsOneCharacterAndDotsAreLiteral() {
    GlobPattern p = GlobPattern.of("m?.grad");
    assertTrue(p.matches("m1.grad"));
    assertFalse(p.matches("m12.grad"));
    assertFalse(p.matches("m1xgrad"));
  }

  @Test
  void doubleStarInTheMiddleAndTrailingSlash() {
    assertTrue(GlobPattern.of("a/**/b/*.grad").matches("a/b/x.grad"));
    assertTrue(GlobPattern.of("a/**/b/*.grad").matches("a/x/y/b/x.grad"));
    assertFalse(GlobPattern.of("a/**/b/*.grad").matches("a/x/y/c/x.grad"));
    assertTrue(GlobPattern.of("broken/").matches("broken/deep/Bad.grad"));
    assertFalse(GlobPattern.of("broken/").matches("ok/Good.grad"));
    assertTrue(GlobPattern.of("\\broken\\**").matches("broken/Bad.grad"));
  }
}
