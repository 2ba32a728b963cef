package org.gradc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
  @Test
  void distanceCountsEdits() {
    assertEquals(0, Suggestions.distance("relu", "relu"));
    assertEquals(1, Suggestions.distance("sofmax", "softmax"));
    assertEquals(2, Suggestions.distance("W1", "b2"));
    assertEquals(3, Suggestions.distance("", "abc"));
    assertEquals(3, Suggestions.distance("kitten", "sitting"));
  }

  @Test
  void nearestIsCloseEnoughOrNothing() {
    List<String> names = List.of("W1", "b1", "W2", "logits", "softmax");
    assertEquals("W1", Suggestions.nearest("W3", names));
    assertEquals("logits", Suggestions.nearest("logit", names));
    assertEquals("softmax", Suggestions.nearest("SoftMax", names));
    assertNull(Suggestions.nearest("bias_vector", names));
    assertNull(Suggestions.nearest("W1", List.of("W1")));
  }

  @Test
  void initialsOfMultiWordNames() {
    assertEquals("lr", Suggestions.nearest("learning_rate", List.of("lr", "beta1", "eps")));
    assertEquals("wd", Suggestions.nearest("weight_decay", List.of("wd", "w")));
  }
}
